using System.Collections.Concurrent;
using RecSys.Engine.Core.Threading;

namespace RecSys.Engine.Core.Tests.Threading;

/// <summary>Work on the scheduler runs at nice 19 (Linux), its Parallel loops stay on its threads, and the caller gets its result, error or cancellation back at its own priority.</summary>
public sealed class LowPriorityTaskSchedulerTests
{
    [Fact]
    public async Task Work_runs_at_the_lowest_priority_and_the_caller_continues_at_its_own()
    {
        Assert.True(OperatingSystem.IsLinux(), "CI runs on Linux; the nice value is what this test reads");
        int callerNice = LowPriorityTaskScheduler.CurrentThreadNice()!.Value;
        Assert.NotEqual(LowPriorityTaskScheduler.LinuxNice, callerNice);
        string? refused = null;

        int? workNice = await LowPriorityTaskScheduler.RunAsync(LowPriorityTaskScheduler.CurrentThreadNice, 2, "test low priority", why => refused = why);

        Assert.Null(refused);
        Assert.Equal(LowPriorityTaskScheduler.LinuxNice, workNice);
        // The continuation after the await runs on a pool thread, not on at nice 19 where the work finished.
        Assert.Equal(callerNice, LowPriorityTaskScheduler.CurrentThreadNice());
    }

    [Fact]
    public async Task Parallel_loops_given_the_current_scheduler_run_on_its_threads_alone()
    {
        var nices = new ConcurrentBag<int?>();
        var threads = new ConcurrentDictionary<int, byte>();
        long sum = await LowPriorityTaskScheduler.RunAsync(() =>
        {
            long total = 0;
            // Without the scheduler, .NET's Parallel.For runs on the thread pool (AlsKernels.Gram passes it for this).
            Parallel.For(0, 2_000, new ParallelOptions { TaskScheduler = TaskScheduler.Current }, i =>
            {
                nices.Add(LowPriorityTaskScheduler.CurrentThreadNice());
                threads.TryAdd(Environment.CurrentManagedThreadId, 0);
                Interlocked.Add(ref total, i);
                Thread.SpinWait(200);
            });
            return total;
        }, 2, "test low priority");

        Assert.Equal(2_000L * 1_999 / 2, sum);
        Assert.Equal(2_000, nices.Count);
        Assert.All(nices, n => Assert.Equal(LowPriorityTaskScheduler.LinuxNice, n));
        Assert.InRange(threads.Count, 1, 2);
    }

    [Fact]
    public async Task Steps_handed_to_the_caller_priority_thread_run_at_the_callers_priority()
    {
        int callerNice = LowPriorityTaskScheduler.CurrentThreadNice()!.Value;
        var (work, step) = await LowPriorityTaskScheduler.RunAsync(callerPriority =>
            (LowPriorityTaskScheduler.CurrentThreadNice(), callerPriority.Run(LowPriorityTaskScheduler.CurrentThreadNice)), 1, "test low priority");
        Assert.Equal(LowPriorityTaskScheduler.LinuxNice, work);
        Assert.Equal(callerNice, step);

        var e = await Assert.ThrowsAsync<FormatException>(() => LowPriorityTaskScheduler.RunAsync<int>(
            callerPriority => callerPriority.Run<int>(() => throw new FormatException("tower file: bad input 'user_id'")), 1, "test low priority"));
        Assert.Equal("tower file: bad input 'user_id'", e.Message);
    }

    [Fact]
    public async Task An_exception_in_the_work_reaches_the_caller_as_thrown()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            LowPriorityTaskScheduler.RunAsync<int>(() => throw new InvalidOperationException("version 'v9' is damaged"), 1, "test low priority"));
        Assert.Equal("version 'v9' is damaged", e.Message);
    }

    [Fact]
    public async Task A_token_cancelled_before_the_start_cancels_without_running_the_work()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        bool ran = false;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            LowPriorityTaskScheduler.RunAsync(() => ran = true, 1, "test low priority", cancellationToken: cancelled.Token));
        Assert.False(ran);
    }

    [Fact]
    public void Bad_arguments_are_refused_naming_them()
    {
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => new LowPriorityTaskScheduler(0, "x")).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new LowPriorityTaskScheduler(1, "")).ParamName);
    }
}
