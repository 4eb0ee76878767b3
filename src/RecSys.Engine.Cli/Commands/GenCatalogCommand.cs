using System.CommandLine;
using System.Globalization;
using RecSys.Engine.Cli.Gen;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Synthetic;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// <c>recsys gen catalog</c>: a ready-to-serve generated catalog (<see cref="CatalogGenerator"/>): registry, FASTER
/// store, serve.json. Every option is checked here, before any work, and a bad one is exit 2 naming it.
/// </summary>
internal static class GenCatalogCommand
{
    public const string DefaultHnsw = "HNSW16,efc200";

    /// <summary>The default end time: fixed, so the same options give the same bytes on any day.</summary>
    public const string DefaultEndTime = "2026-12-01T00:00:00Z";

    public static Command Create()
    {
        var items = new Option<int>("--items") { Description = "Items (ids 1..N).", Required = true };
        var users = new Option<int>("--users") { Description = "Users (ids 1..N), each with a profile and a history.", Required = true };
        var dim = new Option<int>("--dim") { Description = "Vector dimension.", DefaultValueFactory = _ => 96 };
        var seed = new Option<ulong>("--seed") { Description = "Seed (vectors: the SYNTHETIC.md recipe's streams).", DefaultValueFactory = _ => 42UL };
        var history = new Option<int>("--history") { Description = "Events per user.", DefaultValueFactory = _ => 20 };
        var endTime = new Option<string>("--end-time") { Description = $"Events and publish times fall before this time (ISO 8601 or unix seconds; default {DefaultEndTime}).", DefaultValueFactory = _ => DefaultEndTime };
        var index = new Option<string>("--index") { Description = "CF index of the served version: hnsw, ivfpq, or both (two versions, the first active).", DefaultValueFactory = _ => "hnsw" };
        var hnsw = new Option<string>("--hnsw") { Description = $"Factory string of the HNSW index (default {DefaultHnsw}).", DefaultValueFactory = _ => DefaultHnsw };
        var ivfpq = new Option<string?>("--ivfpq") { Description = "Factory string of the IVF-PQ index (default: IVF1024,PQ24,R100,np8 at 1M x 96; nlist and m scaled to the catalog)." };
        var threads = new Option<int>("--threads") { Description = "Index build threads (-1 = all cores; 1 = the same graph every run).", DefaultValueFactory = _ => -1 };
        var output = new Option<string>("--out") { Description = "Output directory: new or empty.", Required = true };
        var ranker = new Option<string>("--ranker")
        {
            Description = "The learned ranker every version ships: none (rank fusion), mlp or gbdt, trained on a generated sample (--ranker-sample) as `recsys train` trains one.",
            DefaultValueFactory = _ => "none",
        };
        var rankerSample = new Option<int>("--ranker-sample") { Description = "Items and users of the sample the ranker is trained on (at most the catalog's).", DefaultValueFactory = _ => 20_000 };

        var command = new Command("catalog", "A generated catalog ready for `recsys serve --config DIR/serve.json`: item and user vectors, metadata, histories in FASTER, HNSW and/or IVF-PQ versions.");
        foreach (var o in new Option[] { items, users, dim, seed, history, endTime, index, hnsw, ivfpq, threads, output, ranker, rankerSample })
            command.Add(o);
        command.SetAction(parse =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            TextWriter stderr = parse.InvocationConfiguration.Error;
            var settings = Check(parse.GetValue(items), parse.GetValue(users), parse.GetValue(dim), parse.GetValue(seed), parse.GetValue(history),
                parse.GetValue(endTime)!, parse.GetValue(index)!, parse.GetValue(hnsw)!, parse.GetValue(ivfpq), parse.GetValue(threads), parse.GetValue(output)!,
                parse.GetValue(ranker)!, parse.GetValue(rankerSample));
            var summary = CatalogGenerator.RunAsync(settings, stderr).GetAwaiter().GetResult();
            string dir = Path.GetFullPath(settings.OutputDirectory);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {dir} in {(double)summary["seconds"]!:F1} s: {settings.Items} items x {settings.Dimension}, {settings.Users} users, {summary["events"]} events; versions {string.Join(", ", settings.Versions.Select(v => $"{v.Id} ({v.Spec})"))}, '{settings.Versions[0].Id}' active"));
            stdout.WriteLine($"serve it: recsys serve --config {Path.Combine(dir, CatalogGenerator.ServeConfigName)}  (API keys in that file: 'app' Read+Write, 'ops' Admin)");
            return CliRunner.ExitOk;
        });
        return command;
    }

    internal static CatalogGenSettings Check(int items, int users, int dim, ulong seed, int history, string endTime, string index, string hnsw, string? ivfpq, int threads, string output,
        string ranker = "none", int rankerSample = 20_000)
    {
        if (items < 1)
            throw new CliInputException($"--items must be at least 1 (got {items})");
        if (users < 1)
            throw new CliInputException($"--users must be at least 1 (got {users})");
        if (dim < 1 || dim > SyntheticVectorGenerator.MaxDimension)
            throw new CliInputException($"--dim must be in 1..{SyntheticVectorGenerator.MaxDimension} (got {dim})");
        if ((long)Math.Max(items, users) * dim > Array.MaxLength)
            throw new CliInputException($"--items/--users x --dim is too large to hold as one array (at most {Array.MaxLength} floats)");
        if (history < 1 || history > items)
            throw new CliInputException($"--history must be in 1..--items ({items}) (got {history})");
        if ((long)users * history > Array.MaxLength)
            throw new CliInputException($"--users x --history is too many events for one array (at most {Array.MaxLength})");
        if (threads == 0 || threads < -1)
            throw new CliInputException($"--threads must be -1 (all cores) or at least 1 (got {threads})");
        long end = ParseEndTime(endTime);
        Models.Ranking.RankerKind? rankerKind = ranker.ToLowerInvariant() switch
        {
            "none" => null,
            "mlp" => Models.Ranking.RankerKind.Mlp,
            "gbdt" => Models.Ranking.RankerKind.Gbdt,
            _ => throw new CliInputException($"--ranker must be none, mlp or gbdt (got '{ranker}')"),
        };
        // The sample needs users with held-out events (two events each at least: one to fit, one held out) and
        // candidates beyond their histories.
        if (rankerSample < 100)
            throw new CliInputException($"--ranker-sample must be at least 100 (got {rankerSample})");
        if (rankerKind is not null)
        {
            int sample = Math.Min(rankerSample, Math.Min(items, users));
            if (sample < 100)
                throw new CliInputException($"--ranker needs a sample of at least 100 items and users; --items and --users give {sample}");
            if (history < 2)
                throw new CliInputException($"--ranker needs --history of at least 2 (events to fit on and events held out; got {history})");
            if (sample <= 2 * history)
                throw new CliInputException($"--ranker needs more than 2 x --history ({2 * history}) items in its sample (got {sample}): too few candidates to rank");
        }
        var versions = new List<(string, string)>();
        string kind = index.ToLowerInvariant();
        if (kind is not ("hnsw" or "ivfpq" or "both"))
            throw new CliInputException($"--index must be hnsw, ivfpq or both (got '{index}')");
        if (kind is "hnsw" or "both")
            versions.Add(("hnsw", CheckSpec("--hnsw", hnsw, "hnsw", dim, items)));
        if (kind is "ivfpq" or "both")
            versions.Add(("ivfpq", CheckSpec("--ivfpq", ivfpq ?? DefaultIvfPq(items, dim), "ivfpq", dim, items)));
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
        {
            throw new CliInputException(File.Exists(Path.Combine(output, CatalogGenerator.SummaryName))
                ? $"--out: '{output}' holds a generated catalog already; pick a new directory"
                : $"--out: '{output}' is not empty (an interrupted run leaves no {CatalogGenerator.SummaryName}: delete it and run again)");
        }
        if (File.Exists(output))
            throw new CliInputException($"--out: '{output}' is a file");
        return new CatalogGenSettings
        {
            Items = items,
            Users = users,
            Dimension = dim,
            Seed = seed,
            History = history,
            EndSeconds = end,
            OutputDirectory = output,
            Versions = versions,
            Threads = threads,
            Ranker = rankerKind,
            RankerSample = rankerSample,
        };
    }

    /// <summary>IVF-PQ scaled to the catalog: 1,024 lists from 256k items on (about a thousand items a list at 1M), m = 24 when it divides the dimension.</summary>
    internal static string DefaultIvfPq(int items, int dim)
    {
        int nlist = items >= 1 << 18 ? 1024 : (int)Math.Max(16, BitOperationsFloor(items / 64));
        int m = new[] { 24, 16, 32, 12, 8, 6, 4, 3, 2, 1 }.First(c => c <= dim && dim % c == 0);
        return string.Create(CultureInfo.InvariantCulture, $"IVF{nlist},PQ{m},R100,np8");
    }

    private static long BitOperationsFloor(int n) => n < 1 ? 1 : 1L << (31 - System.Numerics.BitOperations.LeadingZeroCount((uint)n));

    private static string CheckSpec(string option, string text, string kind, int dim, int items)
    {
        try
        {
            var spec = OptionRules.Check(option, () => IndexSpec.Parse(text));
            if (spec.Kind != kind)
                throw new CliInputException($"{option}: '{text}' is a {spec.Kind} index, not {kind}");
            // Built empty here so the dimension rules (m divides the dimension) fail now, not after the data is made.
            using var probe = OptionRules.Check(option, () => IndexFactory.Create(spec, dim, DistanceMetric.InnerProduct));
            if (probe is IvfPqIndex ivf && items < ivf.Options.MinTrainingVectors)
                throw new CliInputException($"{option}: '{text}' needs at least {ivf.Options.MinTrainingVectors} items to train; --items is {items}");
            return spec.ToString();
        }
        catch (IndexSpecException e)
        {
            throw new CliInputException($"{option}: {e.Message}");
        }
    }

    private static long ParseEndTime(string text)
    {
        long seconds;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long unix))
            seconds = unix;
        else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            seconds = time.ToUnixTimeSeconds();
        else
            throw new CliInputException($"--end-time: '{text}' is neither ISO 8601 (2026-12-01T00:00:00Z) nor unix seconds");
        if (seconds < SyntheticCatalog.PublishWindowSeconds)
            throw new CliInputException($"--end-time: '{text}' is before 1971 (publish times go a year back from it)");
        return seconds;
    }
}
