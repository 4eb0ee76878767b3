using System.Diagnostics;
using System.Globalization;

namespace RecSys.Engine.Server.Diagnostics;

/// <summary>
/// What happened between two <see cref="RuntimeSample"/>s: CPU used by this process and by the machine (cores, i.e. CPU
/// seconds per second), GC pause and collections, pool threads before and after. The question it answers when calls are
/// refused: was the CPU ours (too much load: refusing is right), someone else's (steal, another process), a GC, or
/// pool threads blocked (the pool growing while the CPU idles)?
/// </summary>
public readonly record struct RuntimeWindow(
    TimeSpan Span, double ProcessCores, double MachineBusyCores, double StealCores, double IoWaitCores,
    TimeSpan GcPause, TimeSpan LongestGcStep, int Gen0, int Gen1, int Gen2, int PoolThreadsFrom, int PoolThreadsTo)
{
    /// <summary>Shorter windows are described as too short: CPU time over a few ms is mostly rounding.</summary>
    public static readonly TimeSpan MinSpan = TimeSpan.FromMilliseconds(20);

    /// <summary>The shortest window whose machine figures are given (see <see cref="Between"/>).</summary>
    public const double MachineMinSeconds = 0.5;

    /// <summary>
    /// From <paramref name="from"/> to <paramref name="to"/>; <paramref name="longestGcStep"/> is the most GC pause seen
    /// between two consecutive samples in it (a lower bound of the longest single pause when samples are a few ms apart).
    /// Machine figures are NaN where either sample has none, or the window is under <see cref="MachineMinSeconds"/>.
    /// </summary>
    public static RuntimeWindow Between(in RuntimeSample from, in RuntimeSample to, TimeSpan longestGcStep)
    {
        double seconds = (double)(to.Timestamp - from.Timestamp) / Stopwatch.Frequency;
        double Per(double amount) => seconds > 0 ? amount / seconds : double.NaN;
        int d0 = to.Gen0 - from.Gen0, d1 = to.Gen1 - from.Gen1, d2 = to.Gen2 - from.Gen2;
        // The machine's totals are read every 100 ms (the monitor's MachineEvery looks), so over a shorter window their
        // difference is mostly the reading's age, not the window's use: left out there.
        bool machine = from.Machine.IsKnown && to.Machine.IsKnown && seconds >= MachineMinSeconds;
        return new RuntimeWindow(
            TimeSpan.FromSeconds(Math.Max(seconds, 0)),
            Per((to.ProcessCpu - from.ProcessCpu).TotalSeconds),
            machine ? Per(to.Machine.Busy - from.Machine.Busy) : double.NaN,
            machine ? Per(to.Machine.Steal - from.Machine.Steal) : double.NaN,
            machine ? Per(to.Machine.IoWait - from.Machine.IoWait) : double.NaN,
            to.GcPause - from.GcPause, longestGcStep,
            d0 - d1, d1 - d2, d2, // CollectionCount(n) counts collections of generation n or higher
            from.PoolThreads, to.PoolThreads);
    }

    /// <summary>One line for a log: "this process used 1.93 of 2 cores, the machine 2.00 (steal 0.00, I/O wait 0.01); GC paused ...".</summary>
    public string Describe(int cores)
    {
        var c = CultureInfo.InvariantCulture;
        if (Span < MinSpan)
            return string.Create(c, $"too short ({Span.TotalMilliseconds:F0} ms) to measure; pool threads {PoolThreadsFrom} -> {PoolThreadsTo}");
        string machine = double.IsNaN(MachineBusyCores)
            ? ""
            : string.Create(c, $", the machine {MachineBusyCores:F2} (steal {StealCores:F2}, I/O wait {IoWaitCores:F2})");
        int collections = Gen0 + Gen1 + Gen2;
        string gc = collections == 0 && GcPause == TimeSpan.Zero
            ? "no GC"
            : string.Create(c, $"GC paused {GcPause.TotalMilliseconds:F0} ms in {collections} collections (gen0 {Gen0}, gen1 {Gen1}, gen2 {Gen2}; longest {LongestGcStep.TotalMilliseconds:F0} ms)");
        return string.Create(c, $"this process used {ProcessCores:F2} of {cores} cores{machine}; {gc}; pool threads {PoolThreadsFrom} -> {PoolThreadsTo}");
    }
}
