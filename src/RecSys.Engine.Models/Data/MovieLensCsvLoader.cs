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
        var byItem = new Dictionary<int, SortedSet<string>>();
        ForEachRow(path, "userId,movieId,tag,timestamp", new RowErrors(path, options, report), countRowsIn: null, (_, fields) =>
        {
            // Tags of movies outside movies.csv carry no metadata to attach to: ignored.
            if (!items.TryGetOrdinal(fields[1].Trim(), out int item) || fields[2].Trim().Length == 0)
                return;
            if (!byItem.TryGetValue(item, out var set))
                byItem[item] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.Add(fields[2].Trim().ToLowerInvariant());
        });
        foreach (var (item, set) in byItem)
            catalog.Set(item, catalog.Title(item), [.. catalog.Categories(item)], [.. set]);
    }

    private static void LoadRatings(string path, InteractionSetBuilder builder, LoadOptions options, LoadReport report)
    {
        var errors = new RowErrors(path, options, report);
        ForEachRow(path, "userId,movieId,rating,timestamp", errors, countRowsIn: report, (lineNumber, fields) =>
        {
            if (InteractionCsvLoader.TryParseRow(fields, out string user, out string item, out float value, out long ts, out string? reason))
                builder.Add(user, item, value, ts);
            else
                errors.Bad(lineNumber, reason!);
        });
    }

    private static ItemCatalog LoadMovies(string path, IdMap items, LoadOptions options, LoadReport report)
    {
        var errors = new RowErrors(path, options, report);
        var catalog = new ItemCatalog();
        ForEachRow(path, "movieId,title,genres", errors, countRowsIn: null, (lineNumber, fields) =>
        {
            if (fields[0].Trim().Length == 0)
            {
                errors.Bad(lineNumber, "empty movieId");
                return;
            }
            string genres = fields[2].Trim();
            string[] categories = genres.Length == 0 || genres == NoGenres
                ? []
                : genres.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            catalog.Set(items.GetOrAdd(fields[0].Trim()), fields[1], categories);
        });
        return catalog;
    }

    /// <summary>
    /// One file of this format, row by row: blank lines and the header (a first line starting with the first
    /// column's name) skipped; each row split on ',' with quotes honoured and checked for the column count; a bad
    /// row goes to <paramref name="errors"/> (thrown or skipped), a good one to <paramref name="onRow"/>.
    /// </summary>
    private static void ForEachRow(string path, string columns, RowErrors errors, LoadReport? countRowsIn, Action<long, List<string>> onRow)
    {
        string header = columns[..columns.IndexOf(',')];
        int expected = columns.Count(c => c == ',') + 1;
        var fields = new List<string>(expected);
        long lineNumber = 0;
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line == "\r")
                continue;
            if (lineNumber == 1 && line.StartsWith(header, StringComparison.OrdinalIgnoreCase))
                continue;
            if (countRowsIn is not null)
                countRowsIn.RowsRead++;
            if (!CsvFields.TrySplit(line, ',', fields, out string? error))
            {
                errors.Bad(lineNumber, error!);
                continue;
            }
            if (fields.Count != expected)
            {
                errors.Bad(lineNumber, $"expected {expected} fields ({columns}), found {fields.Count}");
                continue;
            }
            onRow(lineNumber, fields);
        }
    }
}
