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
        var index = new Option<string>("--index") { Description = "Comma-separated indexes to run in this order: flat, usearch, ivfpq.", DefaultValueFactory = _ => "flat" };
        var k = new Option<int>("--k") { Description = "Neighbours per query (recall@k).", DefaultValueFactory = _ => 10 };
        var json = new Option<string?>("--json") { Description = "Also write the rows as JSON to this file." };
        var metric = new Option<string?>("--metric") { Description = "cosine | l2 | ip; default: the metric in DIR/meta.json." };
        var queries = new Option<int?>("--queries") { Description = "Use only the first N queries." };
        var usearchM = new Option<int>("--usearch-m") { Description = "USearch connectivity (M).", DefaultValueFactory = _ => 16 };
        var usearchEfc = new Option<int>("--usearch-ef-construction") { Description = "USearch expansion_add.", DefaultValueFactory = _ => 128 };
        var usearchEf = new Option<int>("--usearch-ef") { Description = "USearch expansion_search.", DefaultValueFactory = _ => 64 };
        var ivf = IvfPqBenchOptions.Create();

        var ann = new Command("ann", "Approximate nearest neighbour benchmark against exact ground truth.")
        {
            data, index, k, json, metric, queries, usearchM, usearchEfc, usearchEf,
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
                throw new CliInputException("--index: give at least one index (flat, usearch)");
            var candidates = new List<IAnnCandidate>();
            foreach (string name in names)
            {
                candidates.Add(name.ToLowerInvariant() switch
                {
                    "flat" => new FlatCandidate(),
                    "usearch" => new USearchCandidate(parse.GetValue(usearchM), parse.GetValue(usearchEfc), parse.GetValue(usearchEf)),
                    "ivfpq" => ivf.CreateCandidate(parse),
                    _ => throw new CliInputException($"--index: unknown index '{name}' (known: flat, usearch, ivfpq)"),
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
}
