using Parquet.Schema;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>
/// `recsys load` reads Parquet: embeddings (id + list&lt;float&gt;/list&lt;double&gt;) over several row groups land in a
/// new version whose index finds each written vector, and item metadata reaches the serving state; every bad input is
/// exit 2 naming file, row and field, and writes no version.
/// </summary>
public sealed class LoadParquetCommandTests(ParquetLoadFixture fx) : IClassFixture<ParquetLoadFixture>
{
    private const int Dimension = 4;

    /// <summary>Row r of the good file: item 100 + r, values no two rows share (fractions that float32 holds exactly or not).</summary>
    private static double[] Vector(int r) => [r + 0.25, -r / 3.0, 1.0 / (r + 1), r * r * 0.001 + 0.1];

    private static long?[] Ids(int count) => [.. Enumerable.Range(0, count).Select(r => (long?)(100 + r))];

    private static double[]?[] Vectors(int count) => [.. Enumerable.Range(0, count).Select(Vector)];

    private (int Code, string Stdout, string Stderr) Load(string file, string id, params string[] more) =>
        CommandRun.Run(LoadCommand.Create(), ["load", "--registry", fx.Registry, "--file", file, "--name", "pq", "--base", "base",
            "--id", id, "--index", "Flat", "--metric", "l2", "--new-items", .. more]);

    private string[] Versions() => [.. ModelRegistry.Open(fx.Registry).List().Select(v => v.Id).Order()];

    /// <summary>The loaded set holds, at each item's ordinal, exactly the float32 of what was written, and its index finds it at distance 0.</summary>
    private void AssertLoaded(string versionId, IReadOnlyList<long?> ids, IReadOnlyList<double[]?> vectors)
    {
        using var loaded = VersionLoader.Load(ModelRegistry.Open(fx.Registry).Get(versionId));
        var set = loaded.Models.Embeddings["pq"];
        Assert.Equal((Dimension, ids.Count), (set.Dimension, (int)set.Count));
        var found = new long[1];
        var distance = new float[1];
        for (int r = 0; r < ids.Count; r++)
        {
            Assert.True(loaded.Items.TryGetOrdinal(ids[r]!.Value, out int ordinal), $"item {ids[r]} is not in the version");
            float[] written = [.. vectors[r]!.Select(v => (float)v)];
            Assert.Equal(written, set.Row(ordinal).ToArray());
            set.Index.Search(written, 1, found, distance);
            Assert.Equal(ordinal, found[0]);
            Assert.Equal(0f, distance[0]);
        }
    }

    [Fact]
    public async Task ListOfFloat_OverSeveralRowGroups_LoadsEveryRowAsWritten()
    {
        const int rows = ParquetLoadFixture.ItemCount;
        var (ids, vectors) = (Ids(rows), Vectors(rows));
        string file = fx.File("emb.parquet");
        await ParquetTestFiles.WriteEmbeddingsAsync(file, ids, vectors, groupSizes: [15, 15, 10]);

        var (code, stdout, stderr) = Load(file, "pq-float");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains($"{rows} rows read, {rows} taken, 0 skipped", stdout);
        Assert.Contains($"{Dimension} dimensions", stdout);
        Assert.Contains("building the index: 100%", stderr); // progress (rows are reported every 10,000: none for 40)
        var version = ModelRegistry.Open(fx.Registry).Get("pq-float");
        Assert.Equal("base", version.Manifest.Parent);
        AssertLoaded("pq-float", ids, vectors);
    }

    [Fact]
    public async Task StringIdsAndListOfDouble_AreTaken_IdsAsTheCsvAndIdFilePathsTakeThem()
    {
        // "105" is item 105 of the base version: a string that parses as an id is that id, as in an --ids file.
        var ids = Ids(12);
        var vectors = Vectors(12);
        string file = fx.File("emb-double.parquet");
        await ParquetTestFiles.WriteEmbeddingsAsync(file, ids, vectors, groupSizes: [5, 7], stringIds: true, doubles: true);
        var (code, stdout, stderr) = Load(file, "pq-double");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("12 rows read, 12 taken, 0 skipped, 0 new items", stdout);
        AssertLoaded("pq-double", ids, vectors);
    }

    [Fact]
    public async Task AWideTable_IdAndOneFloatColumnPerComponent_IsTheCsvShape_AndANullComponentNamesItsColumn()
    {
        const int rows = ParquetLoadFixture.ItemCount;
        var (ids, vectors) = (Ids(rows), Vectors(rows));
        string file = fx.File("wide.parquet");
        DataField[] fields = [new DataField<long>("id"), new DataField<float?>("f1"), new DataField<float?>("f2"), new DataField<double?>("f3"), new DataField<float?>("f4")];
        var schema = new ParquetSchema(fields);
        using (var stream = File.Create(file))
        {
            await using var writer = await Parquet.ParquetWriter.CreateAsync(schema, stream);
            foreach (var (start, count) in new[] { (0, 25), (25, 15) })
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<long>(fields[0], ids.Skip(start).Take(count).Select(i => i!.Value).ToArray());
                for (int j = 0; j < Dimension; j++)
                {
                    // Row 12's third component is null.
                    var column = Enumerable.Range(start, count).Select(r => r == 11 && j == 2 ? (double?)null : vectors[r]![j]).ToArray();
                    if (j == 2)
                        await group.WriteAsync<double>(fields[j + 1], column);
                    else
                        await group.WriteAsync<float>(fields[j + 1], column.Select(v => (float?)v).ToArray());
                }
            }
        }

        var (code, stdout, stderr) = Load(file, "pq-wide", "--skip-bad");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains($"{rows} rows read, {rows - 1} taken, 1 skipped", stdout);
        Assert.Contains($"skipped {file}: row 12, field 'f3': null", stdout);
        int[] kept = [.. Enumerable.Range(0, rows).Where(r => r != 11)];
        AssertLoaded("pq-wide", [.. kept.Select(r => ids[r])], [.. kept.Select(r => vectors[r])]);

        var refused = Load(file, "pq-wide-refused");
        Assert.Equal(2, refused.Code);
        Assert.Contains($"error: {file}: row 12, field 'f3': null", refused.Stderr);
    }

    public static TheoryData<string, int, string> BadRows() => new()
    {
        // case, the row at fault (1-based over the file), what the message says after "row N, field "
        { "short", 7, "'vector': 3 values, the embeddings have 4" },
        { "nan", 20, "'vector[2]': NaN is not a finite number" },
        { "null-id", 18, "'id': null id" },
        { "null-vector", 5, "'vector': null or empty list" },
        { "empty-vector", 26, "'vector': null or empty list" },
        { "duplicate", 30, "'id': item 103 was given already, at row 4" },
    };

    private static (long?[] Ids, double[]?[] Vectors) WithFault(string fault, int row)
    {
        var (ids, vectors) = (Ids(ParquetLoadFixture.ItemCount), Vectors(ParquetLoadFixture.ItemCount));
        int r = row - 1;
        switch (fault)
        {
            case "short": vectors[r] = [1, 2, 3]; break;
            case "nan": vectors[r]![2] = double.NaN; break;
            case "null-id": ids[r] = null; break;
            case "null-vector": vectors[r] = null; break;
            case "empty-vector": vectors[r] = []; break;
            case "duplicate": ids[r] = 103; break;
            default: throw new ArgumentException(fault);
        }
        return (ids, vectors);
    }

    [Theory]
    [MemberData(nameof(BadRows))]
    public async Task ABadRow_IsExit2_NamingFileRowAndField_AndWritesNoVersion(string fault, int row, string message)
    {
        var (ids, vectors) = WithFault(fault, row);
        string file = fx.File($"{fault}.parquet");
        await ParquetTestFiles.WriteEmbeddingsAsync(file, ids, vectors, groupSizes: [15, 15, 10]);
        var before = Versions();

        var (code, stdout, stderr) = Load(file, "pq-" + fault);
        Assert.True(code == 2, $"exit {code}: {stderr}{stdout}");
        Assert.Contains($"error: {file}: row {row}, field {message}", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", stderr); // no stack trace
        Assert.Equal(before, Versions());
    }

    [Fact]
    public async Task SkipBad_SkipsRowsTheReaderCannotForm_AndKeepsTheFileRowNumbers()
    {
        var (ids, vectors) = (Ids(ParquetLoadFixture.ItemCount), Vectors(ParquetLoadFixture.ItemCount));
        ids[4] = null;        // row 5
        vectors[17] = null;   // row 18
        vectors[29] = [1, 2]; // row 30: the import's own check, numbered the same way
        string file = fx.File("some-bad.parquet");
        await ParquetTestFiles.WriteEmbeddingsAsync(file, ids, vectors, groupSizes: [15, 15, 10]);

        var (code, stdout, stderr) = Load(file, "pq-skip", "--skip-bad");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("40 rows read, 37 taken, 3 skipped", stdout);
        Assert.Contains($"skipped {file}: row 5, field 'id': null id", stdout);
        Assert.Contains($"skipped {file}: row 18, field 'vector': null or empty list", stdout);
        Assert.Contains($"skipped {file}: row 30, field 'vector': 2 values, the embeddings have 4", stdout);
        int[] kept = [.. Enumerable.Range(0, ParquetLoadFixture.ItemCount).Where(r => r is not (4 or 17 or 29))];
        AssertLoaded("pq-skip", [.. kept.Select(r => ids[r])], [.. kept.Select(r => vectors[r])]);
    }

    [Fact]
    public void AFileThatIsNotParquet_IsExit2_NamingTheFile()
    {
        string file = fx.File("fake.parquet");
        File.WriteAllText(file, "id,vector\n100,1 2 3 4\n");
        var before = Versions();
        var (code, _, stderr) = Load(file, "pq-fake");
        Assert.Equal(2, code);
        Assert.Contains($"error: {file}: not a readable Parquet file", stderr);
        Assert.Equal(before, Versions());
    }

    [Fact]
    public async Task ADamagedRowGroup_IsExit2_NamingTheFileAndItsRows_AndWritesNoVersion()
    {
        string file = fx.File("damaged.parquet");
        await ParquetTestFiles.WriteEmbeddingsAsync(file, Ids(ParquetLoadFixture.ItemCount), Vectors(ParquetLoadFixture.ItemCount), groupSizes: [15, 15, 10]);
        // The footer (schema, row groups) stays intact; the first row group's first page header and data are overwritten.
        using (var stream = File.OpenWrite(file))
        {
            stream.Position = 4; // after the "PAR1" magic
            stream.Write(Enumerable.Repeat((byte)0xFF, 48).ToArray());
        }
        var before = Versions();
        var (code, stdout, stderr) = Load(file, "pq-damaged");
        Assert.True(code == 2, $"exit {code}: {stderr}{stdout}");
        Assert.Contains($"error: {file}: rows 1-15 (row group 1): cannot be read", stderr);
        Assert.Equal(before, Versions());
    }

    [Fact]
    public async Task AMissingColumn_IsExit2_NamingItAndTheColumnsPresent()
    {
        string file = fx.File("no-id.parquet");
        await ParquetTestFiles.WriteEmbeddingsAsync(file, Ids(3), Vectors(3), groupSizes: [3], idName: "item");
        var (code, _, stderr) = Load(file, "pq-noid");
        Assert.Equal(2, code);
        Assert.Contains($"error: {file}: no column 'id'", stderr);
        Assert.Contains("the file has 'item' (int64), 'vector' (list<float>)", stderr);

        string novector = fx.File("no-vector.parquet");
        await ParquetTestFiles.WriteEmbeddingsAsync(novector, Ids(3), Vectors(3), groupSizes: [3], vectorName: "embedding");
        (code, _, stderr) = Load(novector, "pq-novector");
        Assert.Equal(2, code);
        Assert.Contains($"error: {novector}: no column 'vector'", stderr);
        Assert.Contains("'embedding' (list<float>)", stderr);
    }

    [Fact]
    public async Task AColumnOfTheWrongType_IsExit2_NamingItsTypeAndTheExpectedOnes()
    {
        string file = fx.File("text-vector.parquet");
        await ParquetTestFiles.WriteColumnsAsync(file, (new DataField<long>("id"), new long[] { 100, 101 }), (new DataField<string>("vector"), new string?[] { "1 2 3 4", "5 6 7 8" }));
        var (code, _, stderr) = Load(file, "pq-textvec");
        Assert.Equal(2, code);
        Assert.Contains($"error: {file}: column 'vector' is string, expected list<float> or list<double>", stderr);

        string floatId = fx.File("float-id.parquet");
        await ParquetTestFiles.WriteColumnsAsync(floatId, (new DataField<float>("id"), new float[] { 100, 101 }), (new DataField<string>("vector"), new string?[] { "x", "y" }));
        (code, _, stderr) = Load(floatId, "pq-floatid");
        Assert.Equal(2, code);
        Assert.Contains($"error: {floatId}: column 'id' is float, expected int64, int32 or string", stderr);
    }

    [Fact]
    public async Task ItemMetadata_FromParquet_ReachesTheServingState_AndABadRowChangesNothing()
    {
        var schema = new ParquetSchema(new DataField<long?>("id"), new DataField<string>("title", nullable: true),
            new ListField("categories", new DataField<string>("element")), new DataField<long?>("published_at"));
        string bad = fx.File("bad-items.parquet");
        await WriteItems(bad, schema, [800, null], ["Eight hundred", "Nameless"], [["Action"], ["Drama"]], [1_700_000_000, 5]);
        var refused = CommandRun.Run(LoadCommand.Create(), "load", "--registry", fx.Registry, "--items", bad, "--store", fx.Store);
        Assert.Equal(2, refused.Code);
        Assert.Contains($"error: {bad}: row 2, field 'id': null id", refused.Stderr);
        await using (var before = await ServingState.OpenAsync(fx.Registry, fx.Store))
            Assert.Null(await before.Store.GetItemAsync(800)); // the whole file is checked first: its good first row did not land

        string good = fx.File("items.parquet");
        await WriteItems(good, schema, [800, 101], ["Eight hundred", "Renamed, with a comma"], [["Action", "Thriller"], []], [1_700_000_000, null]);
        var (code, stdout, stderr) = CommandRun.Run(LoadCommand.Create(), "load", "--registry", fx.Registry, "--items", good, "--store", fx.Store);
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("2 items (1 new, 1 updated)", stdout);

        await using var state = await ServingState.OpenAsync(fx.Registry, fx.Store);
        var item = await state.Store.GetItemAsync(800);
        Assert.NotNull(item);
        Assert.Equal(1_700_000_000_000, item.PublishedAtMs);
        Assert.Equal(2, item.Categories.Length);
        Assert.True(state.Catalog.Items.TryGetOrdinal(800, out _));
        var renamed = await state.Store.GetItemAsync(101);
        Assert.NotNull(renamed);
        Assert.Empty(renamed.Categories);
    }

    [Fact]
    public async Task ItemMetadata_TextForms_AsInTheCsv_AndABadTimeNamesRowAndField()
    {
        // categories as '|'-separated text and published_at as ISO 8601 text, over two row groups.
        var id = new DataField<string>("id", nullable: true);
        var categories = new DataField<string>("categories", nullable: true);
        var published = new DataField<string>("published_at", nullable: true);
        var schema = new ParquetSchema(id, categories, published);
        async Task<string> Write(string lastTime)
        {
            string file = fx.File("text-items.parquet");
            using var stream = File.Create(file);
            await using var writer = await Parquet.ParquetWriter.CreateAsync(schema, stream);
            using (var group = writer.CreateRowGroup())
            {
                await group.WriteAsync(id, new[] { "810", "811" });
                await group.WriteAsync(categories, new[] { "Action|Comedy", null });
                await group.WriteAsync(published, new[] { "2024-05-01T12:00:00Z", null });
            }
            using (var group = writer.CreateRowGroup())
            {
                await group.WriteAsync(id, new[] { "812" });
                await group.WriteAsync(categories, new[] { "Drama" });
                await group.WriteAsync(published, new[] { lastTime });
            }
            return file;
        }

        string bad = await Write("yesterday");
        var refused = CommandRun.Run(LoadCommand.Create(), "load", "--registry", fx.Registry, "--items", bad, "--store", fx.Store);
        Assert.Equal(2, refused.Code);
        Assert.Contains($"error: {bad}: row 3, field 'published_at': 'yesterday' is neither unix seconds nor an ISO 8601 time", refused.Stderr);
        await using (var state = await ServingState.OpenAsync(fx.Registry, fx.Store))
            Assert.Null(await state.Store.GetItemAsync(810));

        string good = await Write("1700000000");
        var (code, stdout, stderr) = CommandRun.Run(LoadCommand.Create(), "load", "--registry", fx.Registry, "--items", good, "--store", fx.Store);
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("3 items (3 new, 0 updated)", stdout);
        await using (var state = await ServingState.OpenAsync(fx.Registry, fx.Store))
        {
            var first = await state.Store.GetItemAsync(810);
            Assert.NotNull(first);
            Assert.Equal(2, first.Categories.Length);
            Assert.Equal(DateTimeOffset.Parse("2024-05-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), first.PublishedAtMs);
            Assert.Equal(1_700_000_000_000, (await state.Store.GetItemAsync(812))!.PublishedAtMs);
        }
    }

    [Fact]
    public async Task ItemMetadata_AnUnknownColumn_IsExit2_NamingIt()
    {
        string file = fx.File("typo-items.parquet");
        await ParquetTestFiles.WriteColumnsAsync(file, (new DataField<long>("id"), new long[] { 100 }), (new DataField<string>("titel"), new string?[] { "x" }));
        var (code, _, stderr) = CommandRun.Run(LoadCommand.Create(), "load", "--registry", fx.Registry, "--items", file, "--store", fx.Store);
        Assert.Equal(2, code);
        Assert.Contains($"error: {file}: column 'titel': unknown column", stderr);
    }

    private static async Task WriteItems(string path, ParquetSchema schema, long?[] ids, string[] titles, string[][] categories, long?[] published)
    {
        using var stream = File.Create(path);
        await using var writer = await Parquet.ParquetWriter.CreateAsync(schema, stream);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<long>(schema.DataFields[0], ids);
        await group.WriteAsync(schema.DataFields[1], titles);
        // list<string>: an empty list is one entry with definition level 1 (the list present, no element).
        var values = new List<string>();
        var definitions = new List<int>();
        var repetitions = new List<int>();
        foreach (var row in categories)
        {
            if (row.Length == 0)
            {
                definitions.Add(1);
                repetitions.Add(0);
            }
            for (int i = 0; i < row.Length; i++)
            {
                values.Add(row[i]);
                definitions.Add(schema.DataFields[2].MaxDefinitionLevel);
                repetitions.Add(i == 0 ? 0 : 1);
            }
        }
        await group.WriteAllPartsAsync<ReadOnlyMemory<char>>(schema.DataFields[2], values.Select(v => v.AsMemory()).ToArray(), definitions.ToArray(), repetitions.ToArray(), CancellationToken.None);
        await group.WriteAsync<long>(schema.DataFields[3], published);
    }
}
