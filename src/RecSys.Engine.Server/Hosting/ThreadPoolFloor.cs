namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Raises the thread pool's minimum of worker threads (<see cref="ServerOptions.ThreadPoolMinThreads"/>): the pool
/// starts that many without delay when work queues while its threads are blocked, instead of one about every half
/// second. Process-wide; only ever raised, so a host (or a second server in the process) that asked for more keeps it.
/// </summary>
internal static class ThreadPoolFloor
{
    /// <summary>Raises the worker minimum to <paramref name="workers"/> if it is lower; returns the minimum in effect after.</summary>
    public static int Raise(int workers)
    {
        ThreadPool.GetMinThreads(out int current, out int io);
        if (workers > current && !ThreadPool.SetMinThreads(workers, io))
            throw new ServerConfigException($"{ServerOptions.SectionName}:ThreadPoolMinThreads",
                $"{ServerOptions.SectionName}:ThreadPoolMinThreads {workers}: the runtime refused it (above the thread pool's maximum?)");
        ThreadPool.GetMinThreads(out current, out _);
        return current;
    }
}
