namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Admission control in front of the pipeline: past either limit (calls in flight, queue delay) a call is refused at
/// once with RESOURCE_EXHAUSTED instead of queueing (a queued call would miss its deadline anyway, and the queue would
/// delay every call behind it). Health checks, reflection and Admin calls are never refused. Before that, sources
/// degrade: above <see cref="DegradeAbove"/> of either scale (calls in flight against <see cref="MaxConcurrentCalls"/>, queue
/// delay against <see cref="DegradeQueueDelay"/>; the larger share counts), every request's sources are asked
/// for fewer candidates and search with narrower beams (<see cref="Pipeline.Serving.SourceDegradation"/> has the rule),
/// down to <see cref="MinSourceShare"/> at the limit. With the defaults: sources shrink from 5 ms of queue delay or 32
/// calls in flight and reach a quarter at 10 ms or 64; calls are refused past 64 in flight, or once the queue delay has
/// stayed over 10 ms for 50 ms.
/// </summary>
public sealed record AdmissionOptions
{
    /// <summary>recsys.v1 calls the server works on at once; 0 = no limit. Default 64 (about 30 per core on 2 cores).</summary>
    public int MaxConcurrentCalls { get; init; } = 64;

    /// <summary>
    /// Queue delay past which new calls are refused: how long work waits in the thread pool's queue, where overload
    /// queues on a CPU-bound server before any call is counted in flight (measured every 5 ms by
    /// <see cref="Interception.QueueDelayMonitor"/>; refusals only while this process's own work is queueing).
    /// <see cref="TimeSpan.Zero"/> = off. Default 10 ms (20 ms before 2026-12-06): with sources shrinking from 5 ms
    /// (<see cref="DegradeQueueDelay"/>) the thread-pool queue of a saturated server stays short, so a 20 ms threshold
    /// refused too little at three times the sustained rate and the callers' latency reached 1-2 s; 10 ms held the accepted
    /// calls' p99 under 100 ms at twice the sustained rate in 11 of 11 runs (at three times 94-185 ms, against 117-171 ms
    /// before; bench/results/slo.md, 2026-12-06). Over the few ms a busy but keeping-up server shows: no refusals at 500 or
    /// 2,500 req/s there.
    /// </summary>
    public TimeSpan MaxQueueDelay { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How long the queue delay must stay over <see cref="MaxQueueDelay"/> before calls are refused (CoDel's idea): a
    /// burst the server drains by itself (a GC, a clump of arrivals, a VM's memory scanner taking a vCPU for tens of
    /// ms) is ridden out, slower but answered; a standing queue is refused. Once it has refused, a return over the limit
    /// within a second refuses at once. Sources degrade without waiting. <see cref="TimeSpan.Zero"/> = refuse at the
    /// first look over the limit. Default 50 ms: on the 1M catalog (bench/results/slo.md, 2026-12-05, 3 blocks each) it
    /// refused nothing in 12 runs at 500 req/s and in 5 of 6 version swaps, where the immediate rule refused 9-22 calls in
    /// 8 of 12 runs and 35-206 in every swap; the price is the tail when a real queue forms: one swap at p99 209 ms, and
    /// at twice the sustained rate p99 48-101 ms against 41-67 ms. 100 ms was too long (p99 up to about a second at 3x,
    /// 2026-12-04). At most 10 s.
    /// </summary>
    public TimeSpan ShedAfter { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The queue delay sources degrade against: the delay side of the load is queue delay / this, so with
    /// <see cref="DegradeAbove"/> 0.5 sources start shrinking at half of it and keep <see cref="MinSourceShare"/> from
    /// it on. Shrinking sources early is what keeps a saturated server's queue short: on the 1M catalog at twice the
    /// sustained rate (bench/results/slo.md, 2026-12-06) 10 ms answered nearly every call with p99 66-86 ms in 7 of 8
    /// runs, where 20 ms (the scale before this key existed) let p99 reach 80-210 ms; at 500 req/s (almost) no answer ran
    /// degraded with either. Alone, though, it kept the queue under the old 20 ms refusal threshold and three times the
    /// sustained rate ran away to 1-2 s, so <see cref="MaxQueueDelay"/> came down to 10 ms with it. A key of its own so
    /// that the refusal threshold can be set apart from it. Measured by the same monitor as <see cref="MaxQueueDelay"/>:
    /// with that at 0 (off) there is no queue-delay signal and this has no effect. Default 10 ms. At most 10 s.
    /// </summary>
    public TimeSpan DegradeQueueDelay { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Share of <see cref="MaxConcurrentCalls"/> in flight (or of <see cref="DegradeQueueDelay"/> waited) above which sources degrade; 1 = never (only refusals). Default 0.5.</summary>
    public double DegradeAbove { get; init; } = 0.5;

    /// <summary>Share of their configured counts and beams sources keep at the limit. Default 0.25.</summary>
    public double MinSourceShare { get; init; } = 0.25;

    /// <summary>Whether sources degrade at all: a limit to measure the load against, and a threshold below it.</summary>
    internal bool Degrades => (MaxConcurrentCalls > 0 || MaxQueueDelay > TimeSpan.Zero) && DegradeAbove < 1;

    internal void Validate(string key)
    {
        if (MaxConcurrentCalls < 0)
            throw new ServerConfigException($"{key}:MaxConcurrentCalls", $"{key}:MaxConcurrentCalls must be >= 0 (0 = no limit; got {MaxConcurrentCalls})");
        if (MaxQueueDelay < TimeSpan.Zero || MaxQueueDelay > TimeSpan.FromSeconds(10))
            throw new ServerConfigException($"{key}:MaxQueueDelay", $"{key}:MaxQueueDelay must be in 00:00:00..00:00:10 (0 = off; got {MaxQueueDelay})");
        if (ShedAfter < TimeSpan.Zero || ShedAfter > TimeSpan.FromSeconds(10))
            throw new ServerConfigException($"{key}:ShedAfter", $"{key}:ShedAfter must be in 00:00:00..00:00:10 (0 = refuse at once; got {ShedAfter})");
        if (DegradeQueueDelay <= TimeSpan.Zero || DegradeQueueDelay > TimeSpan.FromSeconds(10))
            throw new ServerConfigException($"{key}:DegradeQueueDelay", $"{key}:DegradeQueueDelay must be in (00:00:00, 00:00:10] (got {DegradeQueueDelay})");
        if (!(DegradeAbove > 0 && DegradeAbove <= 1))
            throw new ServerConfigException($"{key}:DegradeAbove", $"{key}:DegradeAbove must be in (0, 1] (a share of MaxConcurrentCalls; 1 = sources never degrade; got {DegradeAbove})");
        if (!(MinSourceShare > 0 && MinSourceShare <= 1))
            throw new ServerConfigException($"{key}:MinSourceShare", $"{key}:MinSourceShare must be in (0, 1] (got {MinSourceShare})");
    }
}
