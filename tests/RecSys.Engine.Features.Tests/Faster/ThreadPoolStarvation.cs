namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// For tests that show some work needs no thread-pool thread: every pool thread blocked (and more blocked work queued
/// than the pool adds threads for in the time allowed), and the work run on a thread of its own with a liveness bound.
/// Such tests run in <see cref="ThreadPoolStarvationCollection"/>.
/// </summary>
internal static class ThreadPoolStarvation
{
    /// <summary>Blocks the pool until the returned gate is set (set it in a finally).</summary>
    public static ManualResetEventSlim Begin()
    {
        // Not disposed: queued blockers still wait on it after the test ends (set, it lets them through at once).
        var gate = new ManualResetEventSlim(false);
        int blockers = 100 + 4 * Environment.ProcessorCount;
        for (int i = 0; i < blockers; i++)
            ThreadPool.UnsafeQueueUserWorkItem(g => g.Wait(), gate, preferLocal: false);
        return gate;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a thread of its own and asks that it end in 20 s: a liveness bound, not a timing
    /// claim (the work takes milliseconds; waiting for the pool it would wait for the end of the blocked queue, at
    /// about two new threads a second, long after this).
    /// </summary>
    public static void RunOnOwnThreadWithin20s(Action work, string failure)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { work(); }
            catch (Exception e) { error = e; }
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(20)), failure);
        Assert.Null(error);
    }
}
