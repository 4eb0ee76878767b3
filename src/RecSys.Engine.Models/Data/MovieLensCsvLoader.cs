namespace RecSys.Engine.Models.Data;

/// <summary>
/// The MovieLens ratings.csv / movies.csv format (ml-latest, ml-25m...): ratings.csv
/// <c>userId,movieId,rating,timestamp</c> with a header; movies.csv <c>movieId,title,genres</c> with quoted
/// titles (they contain commas) and genres split on '|' ("(no genres listed)" means none); tags.csv
/// <c>userId,movieId,tag,timestamp</c> (optional) adds each movie's distinct tags to its metadata, for the
/// content encoder. CRLF or LF.
/// </summary>
public static class MovieLensCsvLoader
{
    public const string NoGenres = "(no genres listed)";

    public static InteractionSet Load(string directory, LoadOptions? options = null, LoadReport? report = null)
    {
        options ??= LoadOptions.Strict;
        report ??= new LoadReport();
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: MovieLens CSV directory not found");
        string ratings = Path.Combine(directory, "ratings.csv");
        if (!File.Exists(ratings))
            throw new FileNotFoundException($"{ratings}: ratings.csv not found", ratings);
        var builder = new InteractionSetBuilder();
        string movies = Path.Combine(directory, "movies.csv");
        if (File.Exists(movies))
            builder.Catalog = LoadMovies(movies, builder.Items, options, report);
        string tags = Path.Combine(directory, "tags.csv");
        if (builder.Catalog is not null && File.Exists(tags))
            LoadTags(tags, builder.Catalog, builder.Items, options, report);
        LoadRatings(ratings, builder, options, report);
        return builder.Build();
    }

    private static void LoadTags(string path, ItemCatalog catalog, IdMap items, LoadOptions options, LoadReport report)
    {
        var errors = new RowErrors(path, options, report);
        var fields = new List<string>(4);
        var byItem = new Dictionary<int, SortedSet<string>>();
        long lineNumber = 0;
        using (var reader = new StreamReader(path, System.Text.Encoding.UTF8))
        {
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                if (line.Length == 0 || line == "\r")
                    continue;
                if (lineNumber == 1 && line.StartsWith("userId", StringComparison.OrdinalIgnoreCase))
                    continue;
                if (!CsvFields.TrySplit(line, ',', fields, out string? error))
                {
                    errors.Bad(lineNumber, error!);
                    continue;
                }
                if (fields.Count != 4)
                {
                    errors.Bad(lineNumber, $"expected 4 fields (userId,movieId,tag,timestamp), found {fields.Count}");
                    continue;
                }
                // Tags of movies outside movies.csv carry no metadata to attach to: ignored.
                if (!items.TryGetOrdinal(fields[1].Trim(), out int item) || fields[2].Trim().Length == 0)
                    continue;
                if (!byItem.TryGetValue(item, out var set))
                    byItem[item] = set = new SortedSet<string>(StringComparer.Ordinal);
                set.Add(fields[2].Trim().ToLowerInvariant());
            }
        }
        foreach (var (item, set) in byItem)
            catalog.Set(item, catalog.Title(item), [.. catalog.Categories(item)], [.. set]);
    }

    private static void LoadRatings(string path, InteractionSetBuilder builder, LoadOptions options, LoadReport report)
    {
        var errors = new RowErrors(path, options, report);
        var fields = new List<string>(4);
        long lineNumber = 0;
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line == "\r")
                continue;
            if (lineNumber == 1 && line.StartsWith("userId", StringComparison.OrdinalIgnoreCase))
                continue;
            report.RowsRead++;
            if (!CsvFields.TrySplit(line, ',', fields, out string? error))
            {
                errors.Bad(lineNumber, error!);
                continue;
            }
            if (fields.Count != 4)
            {
                errors.Bad(lineNumber, $"expected 4 fields (userId,movieId,rating,timestamp), found {fields.Count}");
                continue;
            }
            if (InteractionCsvLoader.TryParseRow(fields, out string user, out string item, out float value, out long ts, out string? reason))
                builder.Add(user, item, value, ts);
            else
                errors.Bad(lineNumber, reason!);
        }
    }

    private static ItemCatalog LoadMovies(string path, IdMap items, LoadOptions options, LoadReport report)
    {
        var errors = new RowErrors(path, options, report);
        var catalog = new ItemCatalog();
        var fields = new List<string>(3);
        long lineNumber = 0;
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line == "\r")
                continue;
            if (lineNumber == 1 && line.StartsWith("movieId", StringComparison.OrdinalIgnoreCase))
                continue;
            if (!CsvFields.TrySplit(line, ',', fields, out string? error))
            {
                errors.Bad(lineNumber, error!);
                continue;
            }
            if (fields.Count != 3)
            {
                errors.Bad(lineNumber, $"expected 3 fields (movieId,title,genres), found {fields.Count}");
                continue;
            }
            if (fields[0].Trim().Length == 0)
            {
                errors.Bad(lineNumber, "empty movieId");
                continue;
            }
            string genres = fields[2].Trim();
            string[] categories = genres.Length == 0 || genres == NoGenres
                ? []
                : genres.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            catalog.Set(items.GetOrAdd(fields[0].Trim()), fields[1], categories);
        }
        return catalog;
    }
}
