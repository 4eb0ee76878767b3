using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Core.Vectors.Synthetic;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// <c>recsys gen</c>: writes benchmark datasets in the TEXMEX layout the benchmarks read:
/// <c>base.fvecs</c>, <c>query.fvecs</c>, <c>groundtruth.ivecs</c> (exact top-100) and a
/// <c>meta.json</c> naming the source and metric, because .fvecs files carry no metric.
/// <list type="bullet">
/// <item><c>gen vectors</c>: the synthetic recipe of datasets/SYNTHETIC.md (bit-exact per seed).</item>
/// <item><c>gen mnist</c>: MNIST t10k, first 9,000 images as base, last 1,000 as queries, L2.</item>
/// </list>
/// </summary>
internal static class GenCommand
{
    /// <summary>Neighbours per query in groundtruth.ivecs (fewer when the base is smaller).</summary>
    public const int GroundTruthDepth = 100;

    public const string MnistImagesFile = "t10k-images-idx3-ubyte.gz";
    public const int MnistBaseCount = 9000;
    public const int MnistQueryCount = 1000;

    public static Command Create()
    {
        var gen = new Command("gen", "Generate benchmark datasets (.fvecs, .ivecs ground truth, meta.json).");
        gen.Add(CreateVectors());
        gen.Add(CreateMnist());
        gen.Add(GenCatalogCommand.Create());
        return gen;
    }

    private static Command CreateVectors()
    {
        var n = new Option<int>("--n") { Description = "Number of base vectors.", Required = true };
        var dim = new Option<int>("--dim") { Description = "Dimension, 1..65536.", Required = true };
        var queries = new Option<int>("--queries") { Description = "Number of query vectors.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the three random streams.", DefaultValueFactory = _ => 42UL };
        var metric = new Option<string>("--metric") { Description = "Ground-truth metric: cosine or l2.", DefaultValueFactory = _ => "cosine" };
        var output = new Option<string>("--out") { Description = "Output directory (created if missing).", Required = true };

        var command = new Command("vectors", "Clustered synthetic vectors per datasets/SYNTHETIC.md, with exact ground truth.");
        command.Add(n);
        command.Add(dim);
        command.Add(queries);
        command.Add(seed);
        command.Add(metric);
        command.Add(output);
        command.SetAction(parse =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            TextWriter stderr = parse.InvocationConfiguration.Error;
            int count = parse.GetValue(n), d = parse.GetValue(dim), nq = parse.GetValue(queries);
            ulong s = parse.GetValue(seed);
            DistanceMetric m = ParseMetric(parse.GetValue(metric));
            string dir = parse.GetValue(output)!;

            if (count < 1)
                throw new CliInputException($"--n must be at least 1 (got {count})");
            if (d < 1 || d > SyntheticVectorGenerator.MaxDimension)
                throw new CliInputException($"--dim must be in 1..{SyntheticVectorGenerator.MaxDimension} (got {d})");
            if (nq < 1)
                throw new CliInputException($"--queries must be at least 1 (got {nq})");
            if ((long)count * d > Array.MaxLength || (long)nq * d > Array.MaxLength)
                throw new CliInputException($"--n/--queries x --dim is too large to hold in memory as one array (at most {Array.MaxLength} floats)");
            CreateDirectory(dir);

            var clock = Stopwatch.StartNew();
            var generator = new SyntheticVectorGenerator(d, s);
            float[] baseRows = generator.GenerateBase(count);
            float[] queryRows = generator.GenerateQueries(nq);
            WriteFvecs(Path.Combine(dir, "base.fvecs"), baseRows, d);
            WriteFvecs(Path.Combine(dir, "query.fvecs"), queryRows, d);
            stdout.WriteLine($"vectors: {count} base + {nq} queries x {d} (seed {s}) in {clock.Elapsed.TotalSeconds:F1} s");

            int k = Math.Min(GroundTruthDepth, count);
            WriteGroundTruth(dir, baseRows, count, queryRows, nq, d, m, k, stdout, stderr);
            WriteMeta(dir, "synthetic", count, d, nq, k, m, s);
            stdout.WriteLine($"wrote {dir}: base.fvecs, query.fvecs, groundtruth.ivecs, meta.json ({clock.Elapsed.TotalSeconds:F1} s)");
            return CliRunner.ExitOk;
        });
        return command;
    }

    private static Command CreateMnist()
    {
        var mnistDir = new Option<string>("--mnist-dir")
        {
            Description = $"Directory holding {MnistImagesFile}.",
            DefaultValueFactory = _ => Path.Combine("..", "shared", "datasets", "mnist"),
        };
        var output = new Option<string>("--out") { Description = "Output directory (created if missing).", Required = true };

        var command = new Command("mnist", "MNIST t10k: first 9,000 images as base, last 1,000 as queries, L2, exact ground truth.");
        command.Add(mnistDir);
        command.Add(output);
        command.SetAction(parse =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            TextWriter stderr = parse.InvocationConfiguration.Error;
            string source = Path.Combine(parse.GetValue(mnistDir)!, MnistImagesFile);
            string dir = parse.GetValue(output)!;
            if (!File.Exists(source))
                throw new CliInputException($"--mnist-dir: {Path.GetFullPath(source)} not found");

            var clock = Stopwatch.StartNew();
            float[] images = MnistIdx.ReadAll(source, out int count, out int d);
            // The split is the usual one for t10k; with fewer images base and queries would overlap.
            if (count < MnistBaseCount + MnistQueryCount)
                throw new InvalidDataException($"{source}: holds {count} images; the split needs at least {MnistBaseCount + MnistQueryCount}");
            float[] baseRows = images.AsSpan(0, MnistBaseCount * d).ToArray();
            float[] queryRows = images.AsSpan((count - MnistQueryCount) * d, MnistQueryCount * d).ToArray();
            CreateDirectory(dir);
            WriteFvecs(Path.Combine(dir, "base.fvecs"), baseRows, d);
            WriteFvecs(Path.Combine(dir, "query.fvecs"), queryRows, d);
            stdout.WriteLine($"mnist: {MnistBaseCount} base + {MnistQueryCount} queries x {d} from {source}");

            WriteGroundTruth(dir, baseRows, MnistBaseCount, queryRows, MnistQueryCount, d, DistanceMetric.L2, GroundTruthDepth, stdout, stderr);
            WriteMeta(dir, "mnist", MnistBaseCount, d, MnistQueryCount, GroundTruthDepth, DistanceMetric.L2, seed: null);
            stdout.WriteLine($"wrote {dir}: base.fvecs, query.fvecs, groundtruth.ivecs, meta.json ({clock.Elapsed.TotalSeconds:F1} s)");
            return CliRunner.ExitOk;
        });
        return command;
    }

    private static DistanceMetric ParseMetric(string? value) => value?.ToLowerInvariant() switch
    {
        "cosine" => DistanceMetric.Cosine,
        "l2" => DistanceMetric.L2,
        _ => throw new CliInputException($"--metric must be 'cosine' or 'l2' (got '{value}')"),
    };

    private static string MetricName(DistanceMetric metric) => metric == DistanceMetric.L2 ? "l2" : "cosine";

    private static void CreateDirectory(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new CliInputException($"--out: cannot create directory '{dir}': {e.Message}");
        }
    }

    private static void WriteGroundTruth(string dir, float[] baseRows, int n, float[] queryRows, int nq, int dim,
        DistanceMetric metric, int k, TextWriter stdout, TextWriter stderr)
    {
        var clock = Stopwatch.StartNew();
        var progress = new StderrProgress(stderr, $"ground truth ({MetricName(metric)}, top {k})");
        int[] ids = GroundTruth.Compute(baseRows, n, queryRows, nq, dim, metric, k, progress);
        WriteIvecs(Path.Combine(dir, "groundtruth.ivecs"), ids, k);
        stdout.WriteLine($"ground truth: {nq} queries x top {k} ({MetricName(metric)}) in {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>meta.json: the facts a benchmark needs that the .fvecs files cannot carry.</summary>
    private static void WriteMeta(string dir, string source, int n, int dim, int queries, int k, DistanceMetric metric, ulong? seed)
    {
        using var stream = File.Create(Path.Combine(dir, "meta.json"));
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("source", source);
        json.WriteNumber("n", n);
        json.WriteNumber("dim", dim);
        json.WriteNumber("queries", queries);
        if (seed is { } s)
            json.WriteNumber("seed", s);
        json.WriteString("metric", MetricName(metric));
        json.WriteNumber("k", k);
        json.WriteEndObject();
    }

    private static void WriteFvecs(string path, float[] rows, int dim)
    {
        using var writer = new FvecsWriter(path, dim);
        for (int offset = 0; offset < rows.Length; offset += dim)
            writer.Append(rows.AsSpan(offset, dim));
    }

    private static void WriteIvecs(string path, int[] rows, int dim)
    {
        using var writer = new IvecsWriter(path, dim);
        for (int offset = 0; offset < rows.Length; offset += dim)
            writer.Append(rows.AsSpan(offset, dim));
    }
}
