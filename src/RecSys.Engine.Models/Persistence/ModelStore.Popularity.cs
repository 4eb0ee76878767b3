using System.Globalization;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Popularity;

namespace RecSys.Engine.Models.Persistence;

public static partial class ModelStore
{
    /// <summary>
    /// Popularity / trending: the decayed counts in double (float would move the scores),
    /// <code>
    ///   counts.f64          (1 + segments) x (items + 1): row 0 overall, then one row per segment; the last
    ///                       column is the row's total (summed in event order, so not the row sum exactly)
    ///   segments.txt        the segment key of each row after the first ("18-24|F|student")
    ///   users.ids|.txt      the user ids, and user_segments.txt: each user's segment key, line per ordinal
    /// </code>
    /// Half-life, per-segment flag, prior and the model's name ("popularity" / "trending") are manifest parameters.
    /// </summary>
    public static void SavePopularity(PopularityModel model, IdMap users, IdMap items, string directory)
    {
        int n = model.ItemCount;
        IReadOnlyList<string> userSegments = model.UserSegmentKeys;
        if (users.Count != userSegments.Count)
            throw new ArgumentException($"the model was trained on {userSegments.Count} users, the id map has {users.Count}", nameof(users));
        IReadOnlyList<string> segments = model.SegmentKeys;
        foreach (string key in segments.Concat(userSegments))
        {
            if (key.Contains('\n') || key.Contains('\r'))
                throw new ArgumentException($"segment key '{key}' contains a line break and cannot be stored as text");
        }
        DurableFile.CreateDirectory(directory);
        int width = n + 1;
        var counts = new double[(long)(1 + segments.Count) * width];
        for (int i = 0; i < n; i++)
            counts[i] = model.OverallWeight(i);
        counts[n] = model.OverallTotal;
        for (int s = 0; s < segments.Count; s++)
        {
            long row = (long)(s + 1) * width;
            for (int i = 0; i < n; i++)
                counts[row + i] = model.SegmentWeight(segments[s], i);
            counts[row + n] = model.SegmentTotal(segments[s]);
        }
        DoubleMatrixFile.Write(Path.Combine(directory, "counts.f64"), counts, 1 + segments.Count, width);
        WriteLines(directory, "segments.txt", segments);
        WriteLines(directory, "user_segments.txt", userSegments);
        var o = model.Options;
        WriteManifest(directory, new ModelManifest
        {
            Kind = "popularity",
            Users = users.Count,
            Items = n,
            Dimension = segments.Count,
            Parameters = new()
            {
                ["name"] = model.Name,
                ["half_life_days"] = Str(o.HalfLifeDays),
                ["by_segment"] = Str(o.BySegment),
                ["segment_prior"] = Str(o.SegmentPrior),
                ["now"] = o.Now?.ToString(CultureInfo.InvariantCulture) ?? "",
            },
            Files = new()
            {
                ["users"] = IdMapFile.Write(directory, "users", users),
                ["items"] = IdMapFile.Write(directory, "items", items),
                ["counts"] = "counts.f64",
                ["segments"] = "segments.txt",
                ["user_segments"] = "user_segments.txt",
            },
        });
    }

    /// <summary>A restored popularity / trending model: Score(user) for the saved users, ScoreSegment for anyone.</summary>
    public static (PopularityModel Model, IdMap Users, IdMap Items) LoadPopularity(string directory)
    {
        var m = ReadManifest(directory, "popularity");
        string now = Get(m, "now");
        long? nowValue = null;
        if (now.Length > 0)
        {
            nowValue = long.TryParse(now, NumberStyles.Integer, CultureInfo.InvariantCulture, out long t)
                ? t : throw new InvalidDataException($"{m.SourcePath}: model manifest parameter 'now' is not an integer");
        }
        PopularityModel model;
        try
        {
            model = new PopularityModel(new PopularityOptions
            {
                HalfLifeDays = Double(m, "half_life_days"),
                BySegment = Bool(m, "by_segment"),
                SegmentPrior = Double(m, "segment_prior"),
                Now = nowValue,
            }, Get(m, "name"));
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"{m.SourcePath}: {e.Message}", e);
        }
        int n = m.Items, segmentCount = m.Dimension;
        string[] segments = ReadLines(directory, FileOf(m, directory, "segments"), segmentCount, "segment keys");
        if (segments.Distinct(StringComparer.Ordinal).Count() != segments.Length)
            throw new InvalidDataException($"{Path.Combine(directory, FileOf(m, directory, "segments"))}: a segment key appears twice");
        string[] userSegments = ReadLines(directory, FileOf(m, directory, "user_segments"), m.Users, "user segment keys");
        double[] counts = DoubleMatrixFile.Read(Path.Combine(directory, FileOf(m, directory, "counts")), 1 + segmentCount, n + 1);
        string countsPath = Path.Combine(directory, FileOf(m, directory, "counts"));
        foreach (double c in counts)
        {
            if (!(c >= 0) || double.IsInfinity(c))
                throw new InvalidDataException($"{countsPath}: count {c} is not a finite non-negative number");
        }
        var overall = counts.AsSpan(0, n).ToArray();
        var rows = new List<(string, double[], double)>(segmentCount);
        for (int s = 0; s < segmentCount; s++)
        {
            long row = (long)(s + 1) * (n + 1);
            rows.Add((segments[s], counts.AsSpan((int)row, n).ToArray(), counts[row + n]));
        }
        model.Restore(overall, counts[n], rows, userSegments);
        return (model, IdMapFile.Read(directory, FileOf(m, directory, "users"), m.Users), IdMapFile.Read(directory, FileOf(m, directory, "items"), n));
    }

    private static void WriteLines(string directory, string file, IEnumerable<string> lines) =>
        DurableFile.WriteAllLines(Path.Combine(directory, file), lines);

    private static string[] ReadLines(string directory, string file, int expected, string what)
    {
        string path = Path.Combine(directory, file);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"{path}: {what} not found", path);
        string[] lines = System.IO.File.ReadAllLines(path);
        if (lines.Length != expected)
            throw new InvalidDataException($"{path}: {lines.Length} {what}, the manifest says {expected}");
        return lines;
    }
}
