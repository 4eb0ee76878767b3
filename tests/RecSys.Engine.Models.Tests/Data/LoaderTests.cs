using System.Text;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.Data;

public sealed class LoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recsys-load-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text, Encoding? encoding = null)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public void Csv_WithHeaderAndCrlf_LoadsEveryField()
    {
        string path = Write("a.csv", "user,item,value,timestamp\r\nu1,i1,4.5,100\r\nu2,i1,1,2024-01-01T00:00:00Z\r\nu1,\"i,2\",2,300\r\n");
        var set = InteractionCsvLoader.Load(path);
        Assert.Equal(3, set.Count);
        Assert.Equal(2, set.UserCount);
        Assert.Equal(["i1", "i,2"], set.Items.Ids);
        Assert.Equal([4.5f, 1f, 2f], set.Values);
        Assert.Equal([100L, 1704067200L, 300L], set.Timestamps);
    }

    [Fact]
    public void Csv_WithoutHeader_DefaultsValueAndTimestamp()
    {
        string path = Write("b.csv", "7,42\n8,42,3\n");
        var set = InteractionCsvLoader.Load(path);
        Assert.Equal(2, set.Count);
        Assert.Equal([1f, 3f], set.Values);
        Assert.Equal([0L, 0L], set.Timestamps);
    }

    [Fact]
    public void Csv_FirstRowMentioningUser_IsDataWhenItParses()
    {
        string path = Write("c.csv", "user1,item9,2,5\nuser2,item9,1,6\n");
        var set = InteractionCsvLoader.Load(path);
        Assert.Equal(2, set.Count);
        Assert.Equal("user1", set.Users[0]);
        string headed = Write("d.csv", "userId,itemId\nuser1,item9\n");
        Assert.Equal(1, InteractionCsvLoader.Load(headed).Count);
    }

    [Fact]
    public void NumericIds_OnlyWhenCanonical()
    {
        Assert.Equal([7L, -3L], IdMap.FromIds(["7", "-3"]).TryGetNumericIds()!);
        Assert.Null(IdMap.FromIds(["7", "007"]).TryGetNumericIds());
        Assert.Null(IdMap.FromIds(["+5"]).TryGetNumericIds());
    }

    [Theory]
    [InlineData("u1,i1,abc,1\n", "value 'abc' is not a number")]
    [InlineData("u1\n", "expected 2 to 4 fields")]
    [InlineData(",i1,1,1\n", "empty user id")]
    [InlineData("u1,i1,1,yesterday\n", "timestamp 'yesterday'")]
    [InlineData("u1,\"i1,1,1\n", "unterminated quoted field")]
    [InlineData("u1,i1,NaN,1\n", "not finite")]
    public void Csv_BadRow_ThrowsWithFileLineAndReason(string badLine, string reason)
    {
        string path = Write("bad.csv", "u0,i0,1,1\n" + badLine);
        var e = Assert.Throws<InvalidDataException>(() => InteractionCsvLoader.Load(path));
        Assert.Contains($"{path}:2:", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Csv_SkipBad_SkipsAndCounts()
    {
        string path = Write("skip.csv", "u0,i0,1,1\nu1,i1,x,1\nu2,i2,2,2\nu3\n");
        var report = new LoadReport();
        var set = InteractionCsvLoader.Load(path, new LoadOptions { SkipBad = true }, report);
        Assert.Equal(2, set.Count);
        Assert.Equal(2, report.RowsSkipped);
        Assert.Contains(":2:", report.SkippedMessages[0]);
        Assert.Contains(":4:", report.SkippedMessages[1]);
    }

    [Fact]
    public void MovieLens100K_ReadsRatingsLatin1ItemsAndUsers()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir, "ml")).FullName;
        string flags(int genre) => string.Join("|", Enumerable.Range(0, 19).Select(g => g == genre ? "1" : "0"));
        File.WriteAllText(Path.Combine(dir, "u.item"), $"1|Toy Story (1995)|01-Jan-1995||http://x|{flags(3)}\n2|Café Society (1995)|01-Jan-1995||http://y|{flags(8)}\n3|Unrated (1996)|||http://z|{flags(0)}\n", Encoding.Latin1);
        File.WriteAllText(Path.Combine(dir, "u.user"), "1|24|M|technician|85711\n2|53|F|other|94043\n", Encoding.Latin1);
        File.WriteAllText(Path.Combine(dir, "u.data"), "1\t2\t5\t881250949\n2\t1\t3\t891717742\n");
        var set = MovieLens100KLoader.Load(dir);
        Assert.Equal(2, set.Count);
        Assert.Equal(3, set.ItemCount); // catalog items without ratings keep an ordinal
        Assert.Equal("Café Society (1995)", set.Catalog!.Title(1));
        Assert.Equal(["Drama"], set.Catalog.Categories(1));
        Assert.Equal(["Animation"], set.Catalog.Categories(0));
        Assert.Equal(53, set.Demographics!.Age(set.Users.TryGetOrdinal("2", out int u2) ? u2 : -1));
        Assert.Equal("F", set.Demographics.Gender(u2));
        Assert.Equal(1, set.ItemOrdinals[0]); // item "2" is ordinal 1 (u.item order)
    }

    [Fact]
    public void MovieLens100K_BadRatingRow_NamesFileAndLine()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir, "ml-bad")).FullName;
        File.WriteAllText(Path.Combine(dir, "u.data"), "1\t2\t5\t881250949\n1\t2\tfive\t881250949\n");
        var e = Assert.Throws<InvalidDataException>(() => MovieLens100KLoader.Load(dir));
        Assert.Contains("u.data:2:", e.Message);
    }

    [Fact]
    public void MovieLens100K_RealFile_HasTheKnownCounts()
    {
        var set = MovieLens100KLoader.Load(Datasets.MovieLens100K());
        Assert.Equal(100_000, set.Count);
        Assert.Equal(943, set.UserCount);
        Assert.Equal(1682, set.ItemCount);
        Assert.Equal(943, set.Demographics!.Count);
        Assert.Equal("Toy Story (1995)", set.Catalog!.Title(0));
        Assert.Equal(["Animation", "Children's", "Comedy"], set.Catalog.Categories(0));
    }

    [Fact]
    public void MovieLensCsv_QuotedTitlesGenresAndCrlf()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir, "mlcsv")).FullName;
        File.WriteAllText(Path.Combine(dir, "movies.csv"),
            "movieId,title,genres\r\n1,Toy Story (1995),Adventure|Animation\r\n11,\"American President, The (1995)\",Comedy|Drama|Romance\r\n12,\"Say \"\"Hi\"\" (2000)\",(no genres listed)\r\n");
        File.WriteAllText(Path.Combine(dir, "ratings.csv"), "userId,movieId,rating,timestamp\n1,11,4.0,964982703\n2,1,3.5,964982224\n");
        var set = MovieLensCsvLoader.Load(dir);
        Assert.Equal(2, set.Count);
        Assert.Equal("American President, The (1995)", set.Catalog!.Title(1));
        Assert.Equal(["Comedy", "Drama", "Romance"], set.Catalog.Categories(1));
        Assert.Equal("Say \"Hi\" (2000)", set.Catalog.Title(2));
        Assert.Empty(set.Catalog.Categories(2));
        Assert.Equal([4f, 3.5f], set.Values);
    }

    [Fact]
    public void MovieLensCsv_TagsAttachToMovies()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir, "mltags")).FullName;
        File.WriteAllText(Path.Combine(dir, "movies.csv"), "movieId,title,genres\n1,Toy Story (1995),Animation\n2,Heat (1995),Crime\n");
        File.WriteAllText(Path.Combine(dir, "ratings.csv"), "userId,movieId,rating,timestamp\n1,1,4.0,1\n");
        File.WriteAllText(Path.Combine(dir, "tags.csv"), "userId,movieId,tag,timestamp\n1,1,Pixar,1\n2,1,pixar,2\n2,1,\"fun, family\",3\n3,99,orphan,4\n");
        var set = MovieLensCsvLoader.Load(dir);
        Assert.Equal(["fun, family", "pixar"], set.Catalog!.Tags(0));
        Assert.Empty(set.Catalog.Tags(1));
        Assert.Equal(["Animation"], set.Catalog.Categories(0));
    }

    [Fact]
    public void MovieLensCsv_BadRow_NamesFileAndLine()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir, "mlcsv-bad")).FullName;
        File.WriteAllText(Path.Combine(dir, "ratings.csv"), "userId,movieId,rating,timestamp\n1,11,4.0,964982703\n1,11,4.0\n");
        var e = Assert.Throws<InvalidDataException>(() => MovieLensCsvLoader.Load(dir));
        Assert.Contains("ratings.csv:3:", e.Message);
        Assert.Contains("expected 4 fields", e.Message);
    }
}
