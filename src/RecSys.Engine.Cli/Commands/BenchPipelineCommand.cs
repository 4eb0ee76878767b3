using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RecSys.Engine.Cli.Bench;
using RecSys.Engine.Cli.Gen;
using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// <c>recsys bench pipeline --data DIR</c>: in-process Recommend latency, allocations per request and time per stage
/// over a catalog from <c>recsys gen catalog</c> (<see cref="PipelineBenchRunner"/>). Run it under <c>taskset -c N</c>
/// for the one-core figure.
/// </summary>
internal static class BenchPipelineCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "A directory written by `recsys gen catalog`.", Required = true };
        var requests = new Option<int>("--requests") { Description = "Measured requests.", DefaultValueFactory = _ => 20_000 };
        var warmup = new Option<int>("--warmup") { Description = "Requests before measuring.", DefaultValueFactory = _ => 2_000 };
        var candidates = new Option<int>("--candidates") { Description = "Candidates the home surface's sources hand the merge in all (the CF count makes up the rest).", DefaultValueFactory = _ => 500 };
        var k = new Option<int>("--k") { Description = "Items per answer.", DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the user draw.", DefaultValueFactory = _ => 7UL };
        var version = new Option<string?>("--version") { Description = "Registry version to serve (default: the active one)." };
        var json = new Option<string?>("--json") { Description = "Write the result here as JSON." };
        var bf16 = new Option<bool?>("--hnsw-bf16") { Description = "true: walk the HNSW graphs' level 0 on bfloat16 rows (Serving:HnswBFloat16Traversal); false: on float32; default: as each index was saved." };
        var hugePages = new Option<bool>("--huge-pages")
        {
            Description = "true (default, as Serving:HugePageMappings): read the mapped rows back onto 2 MiB pages while the version loads; false: map them as the page cache holds them.",
            DefaultValueFactory = _ => true,
        };
        var addSource = new Option<string[]>("--add-source")
        {
            Description = "NAME:COUNT[:WEIGHT] (repeatable): add a source to the home surface beyond its defaults, e.g. sequence:100:0.2 to price the opt-in sequence source. The collaborative count still makes up --candidates.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var ranker = new Option<string>("--ranker")
        {
            Description = "on (default): a ranker the version ships ranks the candidates (ONNX Runtime, CPU); off: the rank-fusion fallback, as for a version without one.",
            DefaultValueFactory = _ => "on",
        };
        var settleJit = new Option<double>("--settle-jit-seconds")
        {
            Description = "After --warmup, more warm-up rounds with pauses until the tiered JIT compiles nothing new, so the timed pass measures the steady state; at most this many seconds, 0 to 3600 (0: none, the timed pass starts right after --warmup).",
            DefaultValueFactory = _ => 60,
        };
        var command = new Command("pipeline", "In-process Recommend over a generated catalog: p50/p99, allocated bytes per request, time per stage.");
        foreach (var o in new Option[] { data, requests, warmup, candidates, k, seed, version, json, bf16, hugePages, addSource, ranker, settleJit })
            command.Add(o);
        command.SetAction((parse, ct) => RunAsync(parse, data, requests, warmup, candidates, k, seed, version, json, bf16, hugePages, addSource, ranker, settleJit, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Option<string> data, Option<int> requests, Option<int> warmup, Option<int> candidates,
        Option<int> k, Option<ulong> seed, Option<string?> version, Option<string?> json, Option<bool?> bf16, Option<bool> hugePages,
        Option<string[]> addSource, Option<string> ranker, Option<double> settleJit, CancellationToken ct)
    {
        TextWriter stdout = parse.InvocationConfiguration.Output;
        TextWriter stderr = parse.InvocationConfiguration.Error;
        string dir = parse.GetValue(data)!;
        if (!File.Exists(Path.Combine(dir, CatalogGenerator.SummaryName)))
            throw new CliInputException($"--data: '{dir}' has no {CatalogGenerator.SummaryName} (not a finished `recsys gen catalog` directory)");
        int n = parse.GetValue(requests), w = parse.GetValue(warmup), c = parse.GetValue(candidates), kk = parse.GetValue(k);
        if (n < 1)
            throw new CliInputException($"--requests must be at least 1 (got {n})");
        if (w < 0)
            throw new CliInputException($"--warmup must not be negative (got {w})");
        if (c < 1)
            throw new CliInputException($"--candidates must be at least 1 (got {c})");
        if (kk < 1)
            throw new CliInputException($"--k must be at least 1 (got {kk})");
        var added = (parse.GetValue(addSource) ?? []).Select(ParseSource).ToList();
        bool useRanker = parse.GetValue(ranker)!.ToLowerInvariant() switch
        {
            "on" => true,
            "off" => false,
            var other => throw new CliInputException($"--ranker must be on or off (got '{other}')"),
        };
        double settle = parse.GetValue(settleJit);
        if (!(settle >= 0 && settle <= 3600))
            throw new CliInputException($"--settle-jit-seconds must be from 0 to 3600 (got {settle.ToString(CultureInfo.InvariantCulture)})");
        var result = await PipelineBenchRunner.RunAsync(new PipelineBenchSettings(dir, n, w, c, parse.GetValue(seed), parse.GetValue(version), kk, parse.GetValue(bf16), parse.GetValue(hugePages), added, useRanker, TimeSpan.FromSeconds(settle)), stderr, ct).ConfigureAwait(false);
        string text = result.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        stdout.WriteLine(text);
        if (parse.GetValue(json) is { } path)
            DurableFile.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text + "\n"));
        var lat = result["latency_us"]!;
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"p50 {(double)lat["p50"]! / 1000:F3} ms, p99 {(double)lat["p99"]! / 1000:F3} ms, {result["allocated_bytes_per_request"]} B allocated per request"));
        return CliRunner.ExitOk;
    }

    /// <summary>NAME:COUNT[:WEIGHT] of --add-source (weight 1 when left out); a built-in source not on the home surface already.</summary>
    private static Pipeline.Config.SourceConfig ParseSource(string text)
    {
        string[] parts = text.Split(':');
        string Bad(string why) => $"--add-source: '{text}' {why} (expected NAME:COUNT[:WEIGHT], e.g. sequence:100:0.2)";
        if (parts.Length is < 2 or > 3)
            throw new CliInputException(Bad("is not NAME:COUNT[:WEIGHT]"));
        string name = parts[0];
        if (!Pipeline.Sources.SourceNames.BuiltIn.Contains(name))
            throw new CliInputException(Bad($"names no built-in source ({string.Join(", ", Pipeline.Sources.SourceNames.BuiltIn)})"));
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
            throw new CliInputException(Bad("has a count that is not a whole number >= 1"));
        float weight = 1f;
        if (parts.Length == 3 && (!float.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || !(weight >= 0) || !float.IsFinite(weight)))
            throw new CliInputException(Bad("has a weight that is not a finite number >= 0"));
        return new Pipeline.Config.SourceConfig(name, count, Pipeline.Config.PipelineDefaults.SourceBudget, Weight: weight);
    }
}
