namespace RecSys.Engine.Server.Diagnostics;

/// <summary>
/// What the process and the machine had done by one moment, as running totals: the queue-delay monitor takes one at
/// every look so that, when calls start being refused, the difference between two samples says what the last second
/// was spent on (GC pauses, CPU taken by this process or by others, pool threads injected). Plain data, no clock of its
/// own: tests build samples by hand.
/// </summary>
/// <param name="Timestamp">When, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</param>
/// <param name="GcPause">Total time the GC has paused the process (<see cref="GC.GetTotalPauseDuration"/>).</param>
/// <param name="Gen0">Gen 0 collections so far (<see cref="GC.CollectionCount"/>; counts every collection of gen 0 or higher).</param>
/// <param name="Gen1">Gen 1 collections so far (gen 1 or higher).</param>
/// <param name="Gen2">Gen 2 collections so far.</param>
/// <param name="ProcessCpu">CPU time this process has used, user and kernel (<see cref="Environment.CpuUsage"/>).</param>
/// <param name="PoolThreads">Worker threads in the thread pool now.</param>
/// <param name="Pending">Work items waiting in the thread pool's queues now.</param>
/// <param name="Machine">The machine's CPU totals from /proc/stat; <see cref="MachineCpuTimes.Unknown"/> where there is none.</param>
public readonly record struct RuntimeSample(
    long Timestamp, TimeSpan GcPause, int Gen0, int Gen1, int Gen2, TimeSpan ProcessCpu, int PoolThreads, long Pending, MachineCpuTimes Machine)
{
    /// <summary>This process and its thread pool now; <paramref name="machine"/> as last read (it is read less often).</summary>
    public static RuntimeSample Take(long timestamp, MachineCpuTimes machine) => new(
        timestamp, GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
        Environment.CpuUsage.TotalTime, ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount, machine);
}
