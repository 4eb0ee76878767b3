using System.Globalization;
using System.Text;

namespace RecSys.Engine.Models.Data;

/// <summary>
/// MovieLens 100K: <c>u.data</c> (tab-separated user, item, rating, timestamp), <c>u.item</c> ('|'-separated,
/// latin-1, title and 19 genre flags named by <c>u.genre</c>), <c>u.user</c> (id|age|gender|occupation|zip).
/// Items are registered in u.item order, so every catalog item has an ordinal even without ratings.
/// </summary>
public static class MovieLens100KLoader
{
    /// <summary>The 19 genres of ML-100K in flag order (used when u.genre is absent).</summary>
    public static readonly string[] DefaultGenres =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    private static readonly Encoding Latin1 = Encoding.Latin1;

    public static InteractionSet Load(string directory, LoadOptions? options = null, LoadReport? report = null)
    {
        options ??= LoadOptions.Strict;
        report ??= new LoadReport();
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: MovieLens 100K directory not found");
        string data = Path.Combine(directory, "u.data");
        if (!File.Exists(data))
            throw new FileNotFoundException($"{data}: u.data not found", data);

        var builder = new InteractionSetBuilder();
        string itemPath = Path.Combine(directory, "u.item");
        if (File.Exists(itemPath))
            builder.Catalog = LoadItems(itemPath, ReadGenres(Path.Combine(directory, "u.genre")), builder.Items, options, report);
        string userPath = Path.Combine(directory, "u.user");
        if (File.Exists(userPath))
            builder.Demographics = LoadUsers(userPath, builder.Users, options, report);
        LoadRatings(data, builder, options, report);
        return builder.Build();
    }

    private static void LoadRatings(string path, InteractionSetBuilder builder, LoadOptions options, LoadReport report)
    {
        var errors = new RowErrors(path, options, report);
        long lineNumber = 0;
        using var reader = new StreamReader(path, Latin1);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            report.RowsRead++;
            string[] f = line.TrimEnd('\r').Split('\t');
            if (f.Length != 4)
            {
                errors.Bad(lineNumber, $"expected 4 tab-separated fields (user, item, rating, timestamp), found {f.Length}");
                continue;
            }
            if (f[0].Length == 0 || f[1].Length == 0)
            {
                errors.Bad(lineNumber, "empty user or item id");
                continue;
            }
            if (!InteractionCsvLoader.TryParseValue(f[2], out float rating, out string? reason)
                || !long.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out long timestamp))
            {
                errors.Bad(lineNumber, reason ?? $"timestamp '{f[3]}' is not an integer");
                continue;
            }
            builder.Add(f[0], f[1], rating, timestamp);
        }
    }

    private static string[] ReadGenres(string path)
    {
        if (!File.Exists(path))
            return DefaultGenres;
        var genres = new List<string>();
        foreach (string line in File.ReadLines(path, Latin1))
        {
            string[] f = line.TrimEnd('\r').Split('|');
            if (f.Length == 2 && f[0].Length > 0)
                genres.Add(f[0]);
        }
        return genres.Count > 0 ? [.. genres] : DefaultGenres;
    }

    private static ItemCatalog LoadItems(string path, string[] genres, IdMap items, LoadOptions options, LoadReport report)
    {
        var errors = new RowErrors(path, options, report);
        var catalog = new ItemCatalog();
        long lineNumber = 0;
        foreach (string raw in File.ReadLines(path, Latin1))
        {
            lineNumber++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0)
                continue;
            string[] f = line.Split('|');
            if (f.Length != 5 + genres.Length)
            {
                errors.Bad(lineNumber, $"expected {5 + genres.Length} '|'-separated fields (id, title, dates, url, {genres.Length} genre flags), found {f.Length}");
                continue;
            }
            if (f[0].Length == 0)
            {
                errors.Bad(lineNumber, "empty item id");
                continue;
            }
            var categories = new List<string>();
            bool ok = true;
            for (int g = 0; g < genres.Length; g++)
            {
                string flag = f[5 + g];
                if (flag == "1")
                    categories.Add(genres[g]);
                else if (flag != "0")
                {
                    errors.Bad(lineNumber, $"genre flag {g} ('{genres[g]}') is '{flag}', expected 0 or 1");
                    ok = false;
                    break;
                }
            }
            if (!ok)
                continue;
            catalog.Set(items.GetOrAdd(f[0]), f[1], [.. categories]);
        }
        return catalog;
    }

    private static UserDemographics LoadUsers(string path, IdMap users, LoadOptions options, LoadReport report)
    {
        var errors = new RowErrors(path, options, report);
        var demographics = new UserDemographics();
        long lineNumber = 0;
        foreach (string raw in File.ReadLines(path, Latin1))
        {
            lineNumber++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0)
                continue;
            string[] f = line.Split('|');
            if (f.Length != 5)
            {
                errors.Bad(lineNumber, $"expected 5 '|'-separated fields (id, age, gender, occupation, zip), found {f.Length}");
                continue;
            }
            if (f[0].Length == 0 || !int.TryParse(f[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int age) || age < 0)
            {
                errors.Bad(lineNumber, $"empty id or bad age '{f[1]}'");
                continue;
            }
            demographics.Set(users.GetOrAdd(f[0]), age, f[2], f[3]);
        }
        return demographics;
    }
}
