using System.Diagnostics;
using System.Runtime;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// Runs warm-up rounds until the tiered JIT has nothing left to compile for them, so that a timed pass after it
/// measures the steady state rather than the JIT (bench/results/pipeline-ranker-1m-2026-12-07: after a fixed warm-up
/// of 2,000 requests, some 1M runs still compiled 1,200-2,100 methods in the timed pass, 0.5-0.65 s of JIT on the one
/// pinned core, and their p99 was 3-4.4 ms instead of about 1 ms).
/// </summary>
/// <remarks>
/// Why rounds with pauses between them: the runtime delays counting calls of tier-0 code until no new method has been
/// compiled for a while (see <see cref="QuietPeriod"/>), and compiles promoted methods on a background thread. Requests back to
/// back can keep that delay from running out, and on one core the background compilations then land in the timed
/// pass. So each round first waits until the JIT is idle (no method compiled for <see cref="QuietPeriod"/>), runs a
/// round of requests, and waits again; a round after which no more than <paramref name="quietMethods"/> methods were
/// compiled ends the settling. <see cref="JitInfo"/> counts the whole process, so other work in the process (tests
/// running beside it) keeps the count moving: the rounds and the wall time are capped, and the result says whether it
/// settled.
/// </remarks>
internal static class TieredJitSettler
{
    /// <summary>
    /// How long the JIT must compile nothing to count as idle: longer than the runtime's call-counting delay, which is
    /// 100 ms by default and ten times that in a process that sees one processor (TC_DelaySingleProcMultiplier), as a
    /// run pinned with <c>taskset -c N</c> does. With a 200 ms wait on one core the rounds "settled" and the timed pass
    /// still compiled 166 methods.
    /// </summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(Environment.ProcessorCount == 1 ? 1_500 : 300);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public static async Task<JitSettleResult> SettleAsync(Func<CancellationToken, Task> round, int maxRounds, int quietMethods, TimeSpan maxTime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRounds);
        ArgumentOutOfRangeException.ThrowIfNegative(quietMethods);
        var clock = Stopwatch.StartNew();
        long first = JitInfo.GetCompiledMethodCount();
        int rounds = 0;
        long last = long.MaxValue;
        while (rounds < maxRounds && clock.Elapsed < maxTime)
        {
            await WaitForIdleAsync(clock, maxTime, cancellationToken).ConfigureAwait(false);
            long before = JitInfo.GetCompiledMethodCount();
            await round(cancellationToken).ConfigureAwait(false);
            await WaitForIdleAsync(clock, maxTime, cancellationToken).ConfigureAwait(false);
            rounds++;
            last = JitInfo.GetCompiledMethodCount() - before;
            if (last <= quietMethods)
                break;
        }
        return new JitSettleResult(rounds, JitInfo.GetCompiledMethodCount() - first, last <= quietMethods, rounds == 0 ? 0 : last, clock.Elapsed);
    }

    /// <summary>Waits until no method has been compiled for <see cref="QuietPeriod"/>, or until <paramref name="maxTime"/> on <paramref name="clock"/>.</summary>
    private static async Task WaitForIdleAsync(Stopwatch clock, TimeSpan maxTime, CancellationToken cancellationToken)
    {
        long count = JitInfo.GetCompiledMethodCount();
        var still = Stopwatch.StartNew();
        while (still.Elapsed < QuietPeriod && clock.Elapsed < maxTime)
        {
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            long now = JitInfo.GetCompiledMethodCount();
            if (now != count)
            {
                count = now;
                still.Restart();
            }
        }
    }
}
