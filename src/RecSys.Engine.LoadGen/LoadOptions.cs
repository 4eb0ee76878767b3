namespace RecSys.Engine.LoadGen;

/// <summary>One load run (or a sweep of runs): the flags of <c>recsys bench load</c>, parsed and checked by <see cref="LoadArguments"/>.</summary>
public sealed record LoadOptions
{
    /// <summary>The server, always http://127.0.0.1:PORT (h2c; the generator refuses any other host).</summary>
    public required Uri Target { get; init; }

    /// <summary>Requests per second the schedule sends (<c>--rate</c>).</summary>
    public double RateRps { get; init; } = 100;

    /// <summary>The measured part of the run (<c>--duration</c>).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Sent at the same rate before the measured part, not recorded (<c>--warmup</c>): JIT, connections, caches.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Calls in flight at most (<c>--concurrency</c>); a request due while all are busy waits, and its latency keeps counting.</summary>
    public int Concurrency { get; init; } = 256;

    /// <summary>Each call's deadline after it is sent (<c>--timeout</c>); a call past it is DeadlineExceeded.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The request kinds and their weights (<c>--mix</c>).</summary>
    public RequestMix Mix { get; init; } = RequestMix.RecommendOnly;

    /// <summary>Sent as x-api-key on every call (<c>--api-key</c>); RecordEvents and UpsertItems need a key with the Write role.</summary>
    public string? ApiKey { get; init; }

    /// <summary>User ids the requests draw from (<c>--users</c>).</summary>
    public IdRange Users { get; init; } = new(1, 1000);

    /// <summary>Item ids SimilarItems and RecordEvents draw from (<c>--items</c>).</summary>
    public IdRange Items { get; init; } = new(1, 1000);

    /// <summary>Ids UpsertItems cycles through (<c>--upsert-ids</c>): by default new ids far from a generated catalog's, so a run adds at most 1,000 items and changes none.</summary>
    public IdRange UpsertIds { get; init; } = new(1_000_000_000, 1_000_000_999);

    /// <summary>
    /// Existing items DeleteItems deletes, in order from the first, one per call (<c>--delete-ids</c>; required when the mix
    /// sends DeleteItems, since a delete is permanent). It holds at least every request the run (or sweep) schedules, so
    /// no item is deleted twice; a sweep's later runs start past the ids the earlier ones could have used.
    /// </summary>
    public IdRange? DeleteIds { get; init; }

    /// <summary>Items per Recommend / SimilarItems / SearchVectors answer (<c>--k</c>).</summary>
    public int K { get; init; } = 10;

    /// <summary>The surface Recommend names (<c>--surface</c>; empty = the server's default).</summary>
    public string Surface { get; init; } = "";

    /// <summary>The index SearchVectors queries (<c>--search-index</c>: cf, content or an embedding set's name).</summary>
    public string SearchIndex { get; init; } = "cf";

    /// <summary>The query vector's length for SearchVectors (<c>--search-dim</c>; required when the mix sends SearchVectors).</summary>
    public int SearchDim { get; init; }

    /// <summary>Seeds the draws of kinds, ids and vectors (<c>--seed</c>): the same flags send the same requests.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>p99 thresholds the verdict holds the run to, the first deciding (<c>--slo-ms</c>, default 100 then 10).</summary>
    public IReadOnlyList<double> SloMs { get; init; } = [100, 10];

    /// <summary>Write the report (or the sweep) as JSON here (<c>--json</c>).</summary>
    public string? JsonPath { get; init; }

    /// <summary>Sweep mode (<c>--sweep</c>): these rates, rising, one run each, until a run fails the first SLO.</summary>
    public IReadOnlyList<double>? SweepRates { get; init; }

    /// <summary>The sweep's latency-against-throughput PNG (<c>--plot</c>).</summary>
    public string? PlotPath { get; init; }

    /// <summary>The preset the flags started from (<c>--scenario</c>), or null.</summary>
    public string? Scenario { get; init; }

    /// <summary>A registry version to activate (ActivateModel) during the measured window, or null (<c>--activate VERSION@T</c>).</summary>
    public string? ActivateVersion { get; init; }

    /// <summary>Seconds into the measured window when <see cref="ActivateVersion"/> is activated.</summary>
    public double ActivateAtS { get; init; }

    /// <summary>API key with the Admin role, for the activation (null: <see cref="ApiKey"/>).</summary>
    public string? AdminKey { get; init; }

    /// <summary>Run freshness probes beside the load (<c>--freshness on</c>): how long until a recorded event shows in the next answer.</summary>
    public bool Freshness { get; init; }

    /// <summary>The first SLO: the one the verdict and the sweep decide by.</summary>
    public double PrimarySloMs => SloMs[0];

    /// <summary>Every request a run at <paramref name="rate"/> schedules, warm-up included: the most ids its DeleteItems could use.</summary>
    public long Scheduled(double rate) => Counts(rate).WarmUp + Counts(rate).Measured;

    /// <summary>Requests of the warm-up, then of the measured part, at <paramref name="rate"/>.</summary>
    public (long WarmUp, long Measured) Counts(double rate) => (LoadSchedule.Count(rate, WarmUp), Math.Max(1, LoadSchedule.Count(rate, Duration)));

    /// <summary>
    /// The latest a run at <paramref name="rate"/> may go on: the schedule's end plus one call deadline (and a second
    /// of slack). Past it the generator sends nothing more (the rest count as unsent) and every call still out has hit
    /// its own deadline, so the run ends by itself even against a server that never answers.
    /// </summary>
    public TimeSpan TimeBound(double rate) =>
        TimeSpan.FromSeconds(Scheduled(rate) / rate) + Timeout + TimeSpan.FromSeconds(1);
}
