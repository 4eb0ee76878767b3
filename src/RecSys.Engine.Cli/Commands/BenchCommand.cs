using System.CommandLine;
using System.Text.Json;
using RecSys.Engine.Cli.Bench;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Native.Peers;

namespace RecSys.Engine.Cli.Commands;

/// <summary>`recsys bench ann`: recall, single-thread QPS, build time and memory per index, one process.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks held against the latency SLO.");
        bench.Subcommands.Add(CreateAnn());
        bench.Subcommands.Add(BenchLoadCommand.Create());
        bench.Subcommands.Add(BenchPipelineCommand.Create());
        return bench;
    }

    /// <summary>Names of indexes built from the flags (and the peers); anything else in --index is a factory string.</summary>
    private static readonly string[] IndexNames = ["flat", "hnsw", "hnsw-bf16", "ivfpq", "usearch", "hnswlib", "faiss-hnsw", "faiss-ivfflat", "faiss-ivfpq"];

    private static readonly SpecSource GraphFlags = SpecSource.Flags(new Dictionary<string, string>
    {
        [nameof(HnswOptions.M)] = "--M",
        [nameof(HnswOptions.EfConstruction)] = "--efc",
    });

    private static Command CreateAnn()
    {
        var data = new Option<string>("--data") { Description = "Directory with base.fvecs, query.fvecs, groundtruth.ivecs (and meta.json).", Required = true };
        var index = new Option<string>("--index")
        {
            Description = "Comma-separated indexes to run in this order: the names flat, hnsw, hnsw-bf16, ivfpq (shaped by the flags below), "
                + "the peers usearch, hnswlib, faiss-hnsw, faiss-ivfflat, faiss-ivfpq (same flags; hnswlib and faiss-* need "
                + PeerLibraries.BuildScript + "), or index factory strings such as HNSW32,efc100 or IVF1024,PQ24,R0 (the grammar is in the README).",
            DefaultValueFactory = _ => "flat",
        };
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
        var runs = new Option<int>("--runs") { Description = "Repeat the whole comparison N times (indexes built once, the order rotated each run); rows report the median and range.", DefaultValueFactory = _ => 1 };
        var minTime = new Option<string>("--min-time") { Description = "Time each row for at least this long, repeating the query set (e.g. 1s, 500ms; 0 = one pass).", DefaultValueFactory = _ => "0" };
        var peersDir = new Option<string?>("--peers-dir") { Description = $"Folder holding the built native peers (default: ${PeerLibraries.DirectoryVariable}, else native-interop/peers/build of this checkout)." };
        var ivf = IvfPqBenchOptions.Create();

        var ann = new Command("ann", "Approximate nearest neighbour benchmark against exact ground truth.")
        {
            data, index, k, json, metric, queries, graphM, graphEfc, graphEf, buildThreads, runs, minTime, peersDir,
        };
        ivf.AddTo(ann);
        ann.SetAction(parse =>
        {
            int kValue = parse.GetValue(k);
            OptionRules.Check("--k", () => SearchValidation.CheckK(kValue));
            int? maxQueries = parse.GetValue(queries);
            if (maxQueries is < 1)
                throw new CliInputException($"--queries: {maxQueries} must be at least 1");
            string? metricName = parse.GetValue(metric);
            DistanceMetric? metricOverride = metricName is null ? null : MetricNames.Parse(metricName, "--metric");

            var entries = SplitIndexList(parse.GetValue(index)!);
            if (entries.Count == 0)
                throw new CliInputException($"--index: give at least one index ({string.Join(", ", IndexNames)}, or a factory string)");
            var graph = new HnswIndexSpec { M = parse.GetValue(graphM), EfConstruction = parse.GetValue(graphEfc) };
            GraphFlags.Validate(graph);
            var efs = OptionRules.IntList(parse.GetValue(graphEf)!, "--ef", v => _ = new SearchParameters { Ef = v });
            var efSweep = efs.Select(ef => new SearchParameters { Ef = ef, MaxDegreeOfParallelism = 1 }).ToArray();
            int threads = parse.GetValue(buildThreads);
            if (threads == 0 || threads < -1)
                throw new CliInputException($"--build-threads: {threads} must be -1 (all cores) or at least 1");
            var timing = new AnnTiming(AnnTiming.ParseRuns(parse.GetValue(runs)), AnnTiming.ParseMinTime(parse.GetValue(minTime)!));
            var log = parse.InvocationConfiguration.Error;
            var peers = new PeerCheck(parse.GetValue(peersDir), log);
            var candidates = new List<IAnnCandidate>();
            foreach (string entry in entries)
            {
                IAnnCandidate? candidate = entry.ToLowerInvariant() switch
                {
                    "flat" => new FlatCandidate(),
                    "hnsw" => new HnswCandidate(graph, GraphFlags, efSweep, threads),
                    "hnsw-bf16" => new HnswCandidate(graph with { BFloat16Traversal = true }, GraphFlags, efSweep, threads),
                    "usearch" => new USearchCandidate(graph.M, graph.EfConstruction, efs, threads),
                    "ivfpq" => ivf.CreateCandidate(parse),
                    "hnswlib" => peers.Available(PeerLibrary.Hnswlib, out string hnswlib)
                        ? new HnswlibCandidate(graph.M, graph.EfConstruction, efs, threads, hnswlib) : null,
                    "faiss-hnsw" => peers.Available(PeerLibrary.Faiss, out string faiss)
                        ? FaissCandidate.Hnsw(graph.M, graph.EfConstruction, efs, threads, faiss) : null,
                    "faiss-ivfflat" or "faiss-ivfpq" => peers.Available(PeerLibrary.Faiss, out string faiss)
                        ? ivf.CreateFaissCandidate(parse, productQuantized: entry.Equals("faiss-ivfpq", StringComparison.OrdinalIgnoreCase), threads, faiss) : null,
                    _ => ParseSpec(entry) switch
                    {
                        FlatIndexSpec => new FlatCandidate(),
                        HnswIndexSpec h => new HnswCandidate(h, SpecSource.FactoryString, efSweep, threads),
                        IvfPqIndexSpec v => ivf.CreateCandidate(parse, v),
                        var other => throw new CliInputException($"--index: '{other}' has no bench runner"),
                    },
                };
                if (candidate is not null)
                    candidates.Add(candidate);
            }
            if (candidates.Count == 0)
                throw new CliInputException("--index: none of the indexes can run here (see the lines above)");

            var output = parse.InvocationConfiguration.Output;
            var dataset = AnnDataset.Load(parse.GetValue(data)!, metricOverride, maxQueries, log);
            string loadBefore = AnnBenchmarkRunner.LoadAverage();
            var results = AnnBenchmarkRunner.Run(dataset, candidates, kValue, timing, log);

            output.WriteLine($"recsys bench ann: {dataset.Directory}, {dataset.BaseCount:N0} x {dataset.Dimension}, {dataset.QueryCount:N0} queries, {MetricNames.Format(dataset.Metric)}, k={kValue}");
            output.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {loadBefore} before, {AnnBenchmarkRunner.LoadAverage()} after");
            output.WriteLine($"timing: {timing.Runs} run(s), each row timed for at least {timing.MinTime.TotalSeconds:0.###} s (0 = one pass of the queries), index order rotated each run");
            foreach (var peer in candidates.Where(c => c.Library is not null).GroupBy(c => c.Library))
                output.WriteLine($"peer {string.Join(", ", peer.Select(c => c.Name))}: {peer.Key}");
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

    /// <summary>
    /// Splits --index into indexes. Factory strings hold commas too, so a token that does not begin an index
    /// ("efc100", "PQ24", "R0") continues the HNSW or IVF string before it: "flat,HNSW32,efc100,IVF256,PQ8,R0"
    /// is three indexes.
    /// </summary>
    internal static List<string> SplitIndexList(string text)
    {
        var entries = new List<string>();
        bool open = false; // the last entry is a factory string that takes options
        foreach (string token in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool name = IndexNames.Contains(token.ToLowerInvariant());
            bool head = IndexSpec.StartsSpec(token);
            if (open && !name && !head)
            {
                entries[^1] += "," + token;
                continue;
            }
            entries.Add(token);
            open = head && !name;
        }
        return entries;
    }

    private static IndexSpec ParseSpec(string entry)
    {
        if (!IndexSpec.StartsSpec(entry.Split(',')[0]))
            throw new CliInputException($"--index: unknown index '{entry}' (names: {string.Join(", ", IndexNames)}; or a factory string such as HNSW32,efc100 or IVF1024,PQ24,R0)");
        try
        {
            return IndexSpec.Parse(entry);
        }
        catch (IndexSpecException e)
        {
            throw SpecSource.FactoryString.Explain(e);
        }
    }
}
