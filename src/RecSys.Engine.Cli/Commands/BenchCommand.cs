using System.CommandLine;
using System.Text.Json;
using RecSys.Engine.Cli.Bench;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Cli.Commands;

/// <summary>`recsys bench ann`: recall, single-thread QPS, build time and memory per index, one process.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks held against the latency SLO.");
        bench.Subcommands.Add(CreateAnn());
        return bench;
    }

    private static Command CreateAnn()
    {
        var data = new Option<string>("--data") { Description = "Directory with base.fvecs, query.fvecs, groundtruth.ivecs (and meta.json).", Required = true };
        var index = new Option<string>("--index") { Description = "Comma-separated indexes to run in this order: flat, hnsw, hnsw-bf16, usearch, ivfpq.", DefaultValueFactory = _ => "flat" };
        var k = new Option<int>("--k") { Description = "Neighbours per query (recall@k).", DefaultValueFactory = _ => 10 };
        var json = new Option<string?>("--json") { Description = "Also write the rows as JSON to this file." };
        var metric = new Option<string?>("--metric") { Description = "cosine | l2 | ip; default: the metric in DIR/meta.json." };
        var queries = new Option<int?>("--queries") { Description = "Use only the first N queries." };
        // Graph indexes (hnsw, usearch) share these, so both run with the same settings; the old
        // --usearch-* names stay as aliases. Lower-case --m is IVF-PQ's sub-space count (the issues name both).
        var graphM = new Option<int>("--M", "--usearch-m") { Description = "Graph links per node (M; level 0 keeps 2M).", DefaultValueFactory = _ => 16 };
        var graphEfc = new Option<int>("--efc", "--ef-construction", "--usearch-ef-construction") { Description = "Beam width while building (ef construction).", DefaultValueFactory = _ => 200 };
        var graphEf = new Option<string>("--ef", "--usearch-ef") { Description = "Comma-separated search beam widths: one build, one row per ef.", DefaultValueFactory = _ => "16,32,64,128" };
        var buildThreads = new Option<int>("--build-threads") { Description = "Threads a graph build uses (-1 = all cores).", DefaultValueFactory = _ => -1 };
        var ivf = IvfPqBenchOptions.Create();

        var ann = new Command("ann", "Approximate nearest neighbour benchmark against exact ground truth.")
        {
            data, index, k, json, metric, queries, graphM, graphEfc, graphEf, buildThreads,
        };
        ivf.AddTo(ann);
        ann.SetAction(parse =>
        {
            int kValue = parse.GetValue(k);
            if (kValue < 1)
                throw new CliInputException($"--k: {kValue} must be at least 1");
            int? maxQueries = parse.GetValue(queries);
            if (maxQueries is < 1)
                throw new CliInputException($"--queries: {maxQueries} must be at least 1");
            string? metricName = parse.GetValue(metric);
            DistanceMetric? metricOverride = metricName is null ? null : MetricNames.Parse(metricName, "--metric");

            var names = parse.GetValue(index)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0)
                throw new CliInputException("--index: give at least one index (flat, hnsw, hnsw-bf16, usearch, ivfpq)");
            int m = parse.GetValue(graphM);
            if (m is < 2 or > 256)
                throw new CliInputException($"--M: {m} must be in 2..256");
            int efc = parse.GetValue(graphEfc);
            if (efc < 1)
                throw new CliInputException($"--efc: {efc} must be at least 1");
            int[] efs = ParseEfList(parse.GetValue(graphEf)!);
            int threads = parse.GetValue(buildThreads);
            if (threads == 0 || threads < -1)
                throw new CliInputException($"--build-threads: {threads} must be -1 (all cores) or at least 1");
            var candidates = new List<IAnnCandidate>();
            foreach (string name in names)
            {
                candidates.Add(name.ToLowerInvariant() switch
                {
                    "flat" => new FlatCandidate(),
                    "hnsw" => new HnswCandidate(m, efc, efs, threads, bfloat16Traversal: false),
                    "hnsw-bf16" => new HnswCandidate(m, efc, efs, threads, bfloat16Traversal: true),
                    "usearch" => new USearchCandidate(m, efc, efs, threads),
                    "ivfpq" => ivf.CreateCandidate(parse),
                    _ => throw new CliInputException($"--index: unknown index '{name}' (known: flat, hnsw, hnsw-bf16, usearch, ivfpq)"),
                });
            }

            var output = parse.InvocationConfiguration.Output;
            var log = parse.InvocationConfiguration.Error;
            var dataset = AnnDataset.Load(parse.GetValue(data)!, metricOverride, maxQueries, log);
            var results = AnnBenchmarkRunner.Run(dataset, candidates, kValue, log);

            output.WriteLine($"recsys bench ann: {dataset.Directory}, {dataset.BaseCount:N0} x {dataset.Dimension}, {dataset.QueryCount:N0} queries, {MetricNames.Format(dataset.Metric)}, k={kValue}");
            output.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}");
            AnnBenchmarkRunner.PrintTable(results, kValue, output);
            string? jsonPath = parse.GetValue(json);
            if (jsonPath is not null)
            {
                string? dir = Path.GetDirectoryName(Path.GetFullPath(jsonPath));
                if (dir is not null)
                    Directory.CreateDirectory(dir);
                File.WriteAllText(jsonPath, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
            }
            return CliRunner.ExitOk;
        });
        return ann;
    }

    private static int[] ParseEfList(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
            throw new CliInputException("--ef: give at least one value, e.g. 16,32,64");
        var efs = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], out efs[i]) || efs[i] < 1)
                throw new CliInputException($"--ef: '{parts[i]}' is not a whole number of at least 1");
        }
        return efs;
    }
}
