using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// Server:ThreadPoolMinThreads: the server raises the thread pool's worker minimum when it starts and never lowers it.
/// Process-wide, so each assertion is "at least": another test's server may raise it too, never above these.
/// </summary>
public sealed class ThreadPoolFloorTests
{
    [Fact]
    public async Task Starting_a_server_raises_the_worker_minimum_to_the_configured_value_and_logs_it()
    {
        // Above the minimum now, whatever the machine's core count (the runtime's default is one per core).
        ThreadPool.GetMinThreads(out int before, out _);
        int wanted = before + 9;
        await using var rig = await ServerRig.StartAsync(o => o with { ThreadPoolMinThreads = wanted });
        ThreadPool.GetMinThreads(out int workers, out _);
        Assert.True(workers >= wanted, $"thread pool minimum {workers} after a server configured for {wanted} started");
        Assert.Contains(rig.Logs.Entries, e => e.Message.Contains("listening", StringComparison.Ordinal) && e.Message.Contains("thread pool minimum", StringComparison.Ordinal));
    }

    [Fact]
    public void The_minimum_is_never_lowered()
    {
        ThreadPool.GetMinThreads(out int before, out int ioBefore);
        int after = Hosting.ThreadPoolFloor.Raise(1);
        Assert.True(after >= before, $"minimum {before} lowered to {after}");
        ThreadPool.GetMinThreads(out _, out int ioAfter);
        Assert.Equal(ioBefore, ioAfter);
    }
}
