namespace RecSys.Engine.Server.Tests.Support;

/// <summary>
/// Floods the thread pool the way a saturated server does: many work items that each hold a pool thread for a moment
/// and queue themselves again, so the queue stays long (work waits in it) for as long as the hog runs. Stop lets the
/// items finish and the queue drain.
/// </summary>
public sealed class ThreadPoolHog : IThreadPoolWorkItem
{
    private volatile bool _running = true;

    /// <summary>Starts <paramref name="items"/> items that each block their thread <paramref name="holdMs"/> ms per turn.</summary>
    public ThreadPoolHog(int items, int holdMs)
    {
        HoldMs = holdMs;
        for (int i = 0; i < items; i++)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    public int HoldMs { get; }

    public void Stop() => _running = false;

    void IThreadPoolWorkItem.Execute()
    {
        if (!_running)
            return;
        Thread.Sleep(HoldMs); // blocked, as a thread waiting on a synchronous read is
        if (_running)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }
}
