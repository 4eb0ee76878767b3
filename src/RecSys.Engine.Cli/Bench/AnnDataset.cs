using System.Text.Json;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Core.Vectors.Readers;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// A benchmark data directory as `recsys gen` writes it: base.fvecs, query.fvecs, groundtruth.ivecs
/// and meta.json (which names the metric). Vectors are held raw; each index normalises for cosine itself.
/// </summary>
internal sealed class AnnDataset
{
    public required string Directory { get; init; }
    public required int Dimension { get; init; }
    public required int BaseCount { get; init; }
    public required int QueryCount { get; init; }
    public required DistanceMetric Metric { get; init; }
    public required float[] Base { get; init; }
    public required float[] Queries { get; init; }
    /// <summary>Exact neighbour ids, <see cref="GroundTruthK"/> per query.</summary>
    public required int[] GroundTruth { get; init; }
    public required int GroundTruthK { get; init; }

    public ReadOnlySpan<float> Query(int q) => Queries.AsSpan(q * Dimension, Dimension);

    /// <summary>The ids the candidates add the base rows under: the row numbers.</summary>
    public long[] RowIds()
    {
        var ids = new long[BaseCount];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = i;
        return ids;
    }

    public static AnnDataset Load(string directory, DistanceMetric? metricOverride, int? maxQueries, TextWriter log)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new CliInputException($"--data: directory '{directory}' does not exist (create one with `recsys gen vectors`)");
        string basePath = Path.Combine(directory, "base.fvecs");
        string queryPath = Path.Combine(directory, "query.fvecs");
        string gtPath = Path.Combine(directory, "groundtruth.ivecs");
        foreach (var p in new[] { basePath, queryPath, gtPath })
        {
            if (!File.Exists(p))
                throw new CliInputException($"--data: '{p}' is missing (a data directory holds base.fvecs, query.fvecs, groundtruth.ivecs)");
        }

        DistanceMetric metric = metricOverride ?? ReadMetric(directory);
        var (baseRows, dim, n) = ReadAll(basePath, int.MaxValue, log);
        var (queries, qdim, nq) = ReadAll(queryPath, maxQueries ?? int.MaxValue, log);
        if (qdim != dim)
            throw new InvalidDataException($"{queryPath}: dimension {qdim} differs from base.fvecs ({dim})");

        using var gt = new IvecsReader(gtPath);
        int gtK = gt.Dimension;
        var truth = new int[nq * gtK];
        for (int q = 0; q < nq; q++)
        {
            if (!gt.TryReadNext(truth.AsSpan(q * gtK, gtK)))
                throw new InvalidDataException($"{gtPath}: holds {q} rows, but there are {nq} queries");
        }
        return new AnnDataset
        {
            Directory = directory, Dimension = dim, BaseCount = n, QueryCount = nq, Metric = metric,
            Base = baseRows, Queries = queries, GroundTruth = truth, GroundTruthK = gtK,
        };
    }

    private static DistanceMetric ReadMetric(string directory)
    {
        string meta = Path.Combine(directory, "meta.json");
        if (!File.Exists(meta))
            throw new CliInputException($"--metric: not given and '{meta}' does not exist to say which metric the ground truth used");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(meta));
        string? name = doc.RootElement.TryGetProperty("metric", out var m) ? m.GetString() : null;
        return MetricNames.Parse(name, $"{meta}: \"metric\"");
    }

    private static (float[] rows, int dim, int count) ReadAll(string path, int max, TextWriter log)
    {
        using var reader = VectorReaders.Open(path);
        int dim = reader.Dimension;
        long expected = reader.Count ?? 0;
        long take = Math.Min(expected > 0 ? expected : 1024, max);
        var rows = new float[checked((int)(take * dim))];
        int n = 0;
        long total = expected > 0 ? Math.Min(expected, max) : 0;
        var progress = new StderrProgress(log, $"reading {Path.GetFileName(path)}");
        while (n < max)
        {
            if ((long)(n + 1) * dim > rows.Length)
                Array.Resize(ref rows, checked(rows.Length * 2));
            if (!reader.TryReadNext(rows.AsSpan(n * dim, dim), out _))
                break;
            n++;
            if ((n & 0xFFFF) == 0 && total > 0)
                progress.Report((double)n / total);
        }
        progress.Report(1.0);
        if (rows.Length != n * dim)
            Array.Resize(ref rows, n * dim);
        return (rows, dim, n);
    }
}
