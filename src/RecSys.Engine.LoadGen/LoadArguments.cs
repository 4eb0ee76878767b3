using System.Globalization;
using System.Net;

namespace RecSys.Engine.LoadGen;

/// <summary>
/// The flags shared by <c>recsys bench load</c> and bench/RecSys.Engine.LoadTest, parsed into <see cref="LoadOptions"/>.
/// Every bound is checked here, so a run is bounded in count and time before it starts; a bad flag is a
/// <see cref="LoadArgumentException"/> naming it.
/// </summary>
public static class LoadArguments
{
    public const double MaxRate = 50_000;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxWarmUp = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(1);
    public const long MaxRequests = 10_000_000;
    public const int MaxConcurrency = 10_000;
    public const int MaxSweepSteps = 20;

    public const string Usage = """
        --target 127.0.0.1:PORT    the server (only 127.0.0.1; h2c)                          required
        --rate N                   requests per second, open loop                             default 100
        --duration T               measured time (30s, 500ms, 2m; a bare number is seconds)   default 10s
        --warmup T                 sent first at the same rate, not measured                   default 2s
        --concurrency N            calls in flight at most; due requests wait (and count)      default 256
        --timeout T                each call's deadline                                        default 5s
        --mix KIND=W,...           Recommend, SimilarItems, SearchVectors, RecordEvents, UpsertItems, DeleteItems   default Recommend=1
        --api-key KEY              sent as x-api-key (events, upserts and deletes need the Write role)
        --users A..B  --items A..B  --upsert-ids A..B   id ranges the requests draw from      defaults 1..1000, 1..1000, 1000000000..1000000999
        --delete-ids A..B          existing items DeleteItems deletes, in order, each once: required with DeleteItems
                                   (deletes are permanent); must hold every request the run schedules
        --k N  --surface NAME  --search-index NAME  --search-dim D  --seed N
        --slo-ms MS[,MS...]        p99 thresholds; the first decides the verdict              default 100,10
        --json FILE                write the report (or the sweep) as JSON
        --sweep R1,R2,...          one run per rate, rising, until p99 fails the first SLO
        --plot FILE.png            the sweep's latency against throughput
        --activate VERSION@T       ActivateModel(VERSION) T seconds into the measured window (errors must stay 0)
        --admin-key KEY            key with the Admin role for --activate                     default --api-key
        --freshness on|off         probes: click the top item, time until an answer leaves it out   default off
        --scenario NAME|FILE.json  preset flags (smoke, hnsw-1m, ivfpq-1m, hnsw-1m-events, hnsw-1m-deletes, or a JSON file); given flags win
        """;

    /// <summary>Parses <paramref name="args"/> (flag, value pairs).</summary>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string flag = args[i];
            if (!Known.Contains(flag))
                throw new LoadArgumentException(flag, flag.StartsWith("--", StringComparison.Ordinal) ? "unknown flag" : "expected a flag (--name value)");
            if (i + 1 >= args.Count)
                throw new LoadArgumentException(flag, "needs a value");
            if (!values.TryAdd(flag, args[++i]))
                throw new LoadArgumentException(flag, "given twice");
        }
        string? scenario = null;
        if (values.Remove("--scenario", out string? scenarioName))
        {
            var preset = LoadScenario.Resolve(scenarioName);
            scenario = preset.Name;
            foreach (var (flag, value) in preset.Flags)
            {
                // The command line wins; a sweep replaces the preset's single rate.
                if (!Known.Contains(flag) || flag is "--scenario" or "--target")
                    throw new LoadArgumentException("--scenario", $"{scenarioName}: '{flag}' is not a load flag");
                if (!(flag == "--rate" && values.ContainsKey("--sweep")))
                    values.TryAdd(flag, value);
            }
        }
        string Get(string flag, string fallback) => values.GetValueOrDefault(flag, fallback);

        if (!values.TryGetValue("--target", out string? target))
            throw new LoadArgumentException("--target", "required (127.0.0.1:PORT)");
        var options = new LoadOptions
        {
            Target = ParseTarget(target),
            RateRps = Number("--rate", Get("--rate", "100"), 0, MaxRate, exclusiveMin: true),
            Duration = Time("--duration", Get("--duration", "10s"), MaxDuration, allowZero: false),
            WarmUp = Time("--warmup", Get("--warmup", "2s"), MaxWarmUp, allowZero: true),
            Concurrency = Integer("--concurrency", Get("--concurrency", "256"), 1, MaxConcurrency),
            Timeout = Time("--timeout", Get("--timeout", "5s"), MaxTimeout, allowZero: false),
            Mix = values.TryGetValue("--mix", out string? mix) ? RequestMix.Parse(mix, "--mix") : RequestMix.RecommendOnly,
            ApiKey = values.GetValueOrDefault("--api-key"),
            Users = IdRange.Parse(Get("--users", "1..1000"), "--users"),
            Items = IdRange.Parse(Get("--items", "1..1000"), "--items"),
            UpsertIds = IdRange.Parse(Get("--upsert-ids", "1000000000..1000000999"), "--upsert-ids"),
            DeleteIds = values.TryGetValue("--delete-ids", out string? deleteIds) ? IdRange.Parse(deleteIds, "--delete-ids") : null,
            K = Integer("--k", Get("--k", "10"), 1, 1000),
            Surface = Get("--surface", ""),
            SearchIndex = Get("--search-index", "cf"),
            SearchDim = Integer("--search-dim", Get("--search-dim", "0"), 0, 65_536),
            Seed = Integer("--seed", Get("--seed", "42"), int.MinValue, int.MaxValue),
            SloMs = List("--slo-ms", Get("--slo-ms", "100,10"), 0, 3_600_000, 8),
            JsonPath = values.GetValueOrDefault("--json"),
            SweepRates = values.TryGetValue("--sweep", out string? sweep) ? List("--sweep", sweep, 0, MaxRate, MaxSweepSteps) : null,
            PlotPath = values.GetValueOrDefault("--plot"),
            Scenario = scenario,
            AdminKey = values.GetValueOrDefault("--admin-key"),
            Freshness = Get("--freshness", "off") switch
            {
                "on" => true,
                "off" => false,
                string f => throw new LoadArgumentException("--freshness", $"'{f}' is not on or off"),
            },
        };
        if (values.TryGetValue("--activate", out string? activate))
        {
            int at = activate.LastIndexOf('@');
            if (at <= 0)
                throw new LoadArgumentException("--activate", $"'{activate}' is not VERSION@SECONDS (e.g. ivfpq@10)");
            var when = Time("--activate", activate[(at + 1)..], MaxDuration, allowZero: true);
            if (when >= options.Duration)
                throw new LoadArgumentException("--activate", $"{when.TotalSeconds:0.###} s is not inside the measured window ({options.Duration.TotalSeconds:0.###} s)");
            options = options with { ActivateVersion = activate[..at], ActivateAtS = when.TotalSeconds };
        }
        if (options.AdminKey is { } admin && (admin.Length == 0 || admin.Any(char.IsWhiteSpace)))
            throw new LoadArgumentException("--admin-key", "must be non-empty, without white space");
        if (options.ApiKey is { } key && (key.Length == 0 || key.Any(char.IsWhiteSpace)))
            throw new LoadArgumentException("--api-key", "must be non-empty, without white space");
        if (options.Mix.Sends(RequestKind.SearchVectors) && options.SearchDim == 0)
            throw new LoadArgumentException("--search-dim", "required when --mix sends SearchVectors (the length of the index's vectors)");
        if (options.Mix.Sends(RequestKind.DeleteItems) && options.DeleteIds is null)
            throw new LoadArgumentException("--delete-ids", "required when --mix sends DeleteItems: the existing items the run may delete (a delete is permanent)");
        if (options.DeleteIds is { } deletable)
        {
            if (!options.Mix.Sends(RequestKind.DeleteItems))
                throw new LoadArgumentException("--delete-ids", "only a mix that sends DeleteItems deletes");
            long scheduled = (options.SweepRates ?? [options.RateRps]).Sum(options.Scheduled);
            if (deletable.Count < scheduled)
                throw new LoadArgumentException("--delete-ids", string.Create(CultureInfo.InvariantCulture,
                    $"'{deletable}' holds {deletable.Count:N0} ids; the run schedules {scheduled:N0} requests, any of which may be a delete, and no item is deleted twice"));
        }
        if (options.SweepRates is { } rates)
        {
            for (int i = 1; i < rates.Count; i++)
            {
                if (rates[i] <= rates[i - 1])
                    throw new LoadArgumentException("--sweep", "rates must rise");
            }
            if (values.ContainsKey("--rate"))
                throw new LoadArgumentException("--rate", "a sweep takes its rates from --sweep; leave --rate out");
        }
        else if (options.PlotPath is not null)
        {
            throw new LoadArgumentException("--plot", "only a sweep (--sweep) draws a plot");
        }
        if (options.PlotPath is { } plot && !plot.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new LoadArgumentException("--plot", $"'{plot}' must name a .png file");
        foreach (double rate in options.SweepRates ?? [options.RateRps])
        {
            var (warm, measured) = options.Counts(rate);
            if (warm + measured > MaxRequests)
                throw new LoadArgumentException(options.SweepRates is null ? "--rate" : "--sweep",
                    $"{rate} req/s over the warm-up and duration is {warm + measured:N0} requests; at most {MaxRequests:N0} per run");
        }
        return options;
    }

    /// <summary>
    /// Accepts <c>127.0.0.1:PORT</c> or <c>http://127.0.0.1:PORT</c> only: a load generator pointed at another host is a
    /// denial-of-service tool, so it refuses to be one.
    /// </summary>
    public static Uri ParseTarget(string text)
    {
        const string flag = "--target";
        string withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
            || uri.IsDefaultPort || (uri.AbsolutePath != "/" && uri.AbsolutePath.Length > 0) || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
            throw new LoadArgumentException(flag, $"'{text}' is not 127.0.0.1:PORT");
        if (!IPAddress.TryParse(uri.Host, out var ip) || !ip.Equals(IPAddress.Loopback))
            throw new LoadArgumentException(flag, $"'{uri.Host}' refused: load runs only against 127.0.0.1");
        if (uri.Port is < 1 or > 65535)
            throw new LoadArgumentException(flag, $"port {uri.Port} is not in 1..65535");
        return new Uri($"http://127.0.0.1:{uri.Port}");
    }

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "--target", "--rate", "--duration", "--warmup", "--concurrency", "--timeout", "--mix", "--api-key", "--users", "--items",
        "--upsert-ids", "--delete-ids", "--k", "--surface", "--search-index", "--search-dim", "--seed", "--slo-ms", "--json", "--sweep", "--plot", "--scenario",
        "--activate", "--admin-key", "--freshness",
    };

    private static double Number(string flag, string text, double min, double max, bool exclusiveMin)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new LoadArgumentException(flag, $"'{text}' is not a number");
        if ((exclusiveMin ? value <= min : value < min) || value > max)
            throw new LoadArgumentException(flag, $"{text} is out of range ({(exclusiveMin ? "above" : "from")} {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)})");
        return value;
    }

    private static int Integer(string flag, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            throw new LoadArgumentException(flag, $"'{text}' is not a whole number");
        if (value < min || value > max)
            throw new LoadArgumentException(flag, $"{value} is out of range ({min}..{max})");
        return value;
    }

    private static double[] List(string flag, string text, double min, double max, int maxCount)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > maxCount)
            throw new LoadArgumentException(flag, $"at most {maxCount} values (got {parts.Length})");
        return parts.Select(p => Number(flag, p, min, max, exclusiveMin: true)).ToArray();
    }

    /// <summary>A duration: <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>, or a bare number of seconds.</summary>
    internal static TimeSpan Time(string flag, string text, TimeSpan max, bool allowZero)
    {
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value < 0)
            throw new LoadArgumentException(flag, $"'{text}' is not a duration (e.g. 500ms, 30s, 2m)");
        double seconds = value * scale;
        if ((!allowZero && seconds <= 0) || seconds > max.TotalSeconds)
            throw new LoadArgumentException(flag, $"{text} is out of range ({(allowZero ? "0" : "above 0")} to {max.TotalSeconds:0}s)");
        return TimeSpan.FromSeconds(seconds);
    }
}
