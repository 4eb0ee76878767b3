using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RecSys.Engine.LoadGen;

/// <summary>
/// The outcome of one run. Latencies in milliseconds from each request's scheduled send; <see cref="ServiceP99Ms"/> is
/// the same percentile from the actual send (their gap is the time requests waited for the generator or a free slot).
/// JSON names are snake case: <c>requests</c>, <c>throughput_rps</c>, <c>p99_ms</c>, <c>p999_ms</c>, <c>errors</c>, ...
/// </summary>
public sealed record LoadReport
{
    public required string Target { get; init; }

    /// <summary>The <c>--scenario</c> preset, or null.</summary>
    public string? Scenario { get; init; }

    public required double RateRps { get; init; }
    public required double DurationS { get; init; }
    public required double WarmupS { get; init; }
    public required int Concurrency { get; init; }
    public required string Mix { get; init; }

    /// <summary>Measured requests the schedule held (warm-up not included).</summary>
    public required long Requests { get; init; }

    /// <summary>Measured requests that went out (the rest were still waiting when the run's time bound came).</summary>
    public required long Sent { get; init; }

    public required long Ok { get; init; }

    /// <summary>
    /// OK Recommend answers that say their sources ran degraded (the server was busy: fewer candidates, narrower
    /// searches; Server:Admission:DegradeQueueDelay). Part of <see cref="Ok"/>: a fast answer under load may be a thinner one.
    /// </summary>
    public long Degraded { get; init; }
    public required long Unsent { get; init; }

    /// <summary>OK answers per second over the measured part (from its first due time to its last answer, at least the duration).</summary>
    public required double ThroughputRps { get; init; }

    public required double P50Ms { get; init; }
    public required double P95Ms { get; init; }
    public required double P99Ms { get; init; }
    public required double P999Ms { get; init; }
    public required double MaxMs { get; init; }
    public required double MeanMs { get; init; }
    public required double ServiceP99Ms { get; init; }

    /// <summary>
    /// How late the generator sent measured requests against their schedule (p99 and max): its own stalls (or every
    /// connection slot busy). A large value means requests went out in a burst, which the server saw as one.
    /// </summary>
    public double SendLagP99Ms { get; init; }

    public double SendLagMaxMs { get; init; }

    /// <summary>Failed measured calls by gRPC status name (e.g. "ResourceExhausted"); empty when none failed.</summary>
    public required IReadOnlyDictionary<string, long> Errors { get; init; }

    public required IReadOnlyDictionary<string, KindSummary> ByKind { get; init; }
    public required IReadOnlyList<SloVerdict> Slo { get; init; }

    /// <summary>The ActivateModel call made during the run (<c>--activate</c>), or null.</summary>
    public ActivationResult? Activation { get; init; }

    /// <summary>The freshness probes (<c>--freshness on</c>), or null.</summary>
    public FreshnessSummary? Freshness { get; init; }

    /// <summary>"pass" or "fail", against the first SLO.</summary>
    public required string Verdict { get; init; }

    /// <summary>Whether the run passed the first SLO.</summary>
    [JsonIgnore]
    public bool Passed => Verdict == "pass";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static LoadReport FromJson(string json) => JsonSerializer.Deserialize<LoadReport>(json, Json)
        ?? throw new InvalidDataException("the JSON holds no load report");

    /// <summary>The report for people: a few lines.</summary>
    public void WriteText(TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"{Target}{(Scenario is null ? "" : ", scenario " + Scenario)}: {RateRps:0.##} req/s for {DurationS:0.###} s (+{WarmupS:0.###} s warm-up), concurrency {Concurrency}, mix {Mix}"));
        long failed = Errors.Values.Sum();
        output.WriteLine(string.Create(c, $"  requests {Requests:N0}, ok {Ok:N0} (degraded {Degraded:N0}), errors {failed:N0}, unsent {Unsent:N0}, throughput {ThroughputRps:0.#} req/s"));
        output.WriteLine(string.Create(c, $"  latency ms from the scheduled send: p50 {P50Ms:0.###}  p95 {P95Ms:0.###}  p99 {P99Ms:0.###}  p99.9 {P999Ms:0.###}  max {MaxMs:0.###}  (service p99 {ServiceP99Ms:0.###}; sent late by p99 {SendLagP99Ms:0.###}, max {SendLagMaxMs:0.###})"));
        if (failed > 0)
            output.WriteLine("  errors: " + string.Join(", ", Errors.Select(e => string.Create(c, $"{e.Key} {e.Value:N0}"))));
        if (ByKind.Count > 1)
        {
            foreach (var (kind, s) in ByKind)
                output.WriteLine(string.Create(c, $"  {kind}: ok {s.Ok:N0}, failed {s.Failed:N0}, p50 {s.P50Ms:0.###} ms, p99 {s.P99Ms:0.###} ms, max {s.MaxMs:0.###} ms"));
        }
        if (Activation is { } a)
            output.WriteLine(string.Create(c, $"  activated '{a.Version}' at {a.AtS:0.###} s into the window: {a.Status} in {a.TookMs:0.#} ms"));
        if (Freshness is { } f)
            output.WriteLine(string.Create(c, $"  freshness: {f.Probes} probes, event visible in the very next answer {f.VisibleAtFirstAnswer}, never {f.NeverVisible}, failed {f.Failed}; RecordEvents send to an answer without the item p50 {f.P50Ms:0.###} ms, max {f.MaxMs:0.###} ms"));
        if (WarmupS == 0)
            output.WriteLine("  note: no warm-up: the first measured calls pay what is left of this client's own start (one unmeasured call before the schedule opens a connection and compiles the call path; the rest of its JIT, and the connections it opens as calls pile up, land here), and a short run's p99 can carry it; --warmup (default 2s) keeps it out");
        output.WriteLine("  SLO: " + string.Join("; ", Slo.Select(v => string.Create(c, $"p99 <= {v.SloMs:0.###} ms {(v.Pass ? "PASS" : "FAIL")}"))));
    }
}
