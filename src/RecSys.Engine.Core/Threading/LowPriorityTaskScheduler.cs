using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Threading;

/// <summary>
/// A task scheduler over threads of its own that run at the operating system's lowest priority, for bulk work that
/// must not take CPU from requests: loading a model version while the current one serves.
/// <code>
///   Run(work)   -> N threads, each lowered first (Linux: nice 19 for that thread; elsewhere ThreadPriority.Lowest)
///               -> work runs on one of them; Parallel loops inside it too when given TaskScheduler.Current
///               -> steps that start threads (ONNX sessions) hop to a CallerPriorityThread: new threads inherit nice
///               -> the threads end with the scheduler
/// </code>
/// Why: on a 2-core server a version load at 1M items is ~10 s of CPU (hashes, factor arrays, the ALS fold-in term,
/// index lists). Run on the thread pool at the server's priority it halves the cores requests get, the pool's queue
/// delay passes the admission limit and calls are refused (bench/results/slo.md: ~1,000 RESOURCE_EXHAUSTED in a
/// 14 s swap at 500 req/s). At nice 19 the load takes only the CPU requests leave idle, and waits otherwise.
/// A thread's nice value cannot be lowered back without privileges, hence threads of its own rather than pool threads.
/// Work that blocks on a lock a request holds is fine (requests run at normal priority); the other way round, a request
/// waiting on a lock held by this work, would wait for a starved thread: do not share locks with the request path.
/// </summary>
public sealed partial class LowPriorityTaskScheduler : TaskScheduler, IDisposable
{
    /// <summary>The nice value the threads take on Linux: the lowest priority there is.</summary>
    public const int LinuxNice = 19;

    private const int PrioProcess = 0;

    [ThreadStatic]
    private static LowPriorityTaskScheduler? t_owner;

    private readonly BlockingCollection<Task> _queue = new();
    private readonly Thread[] _threads;
    private string? _priorityError;

    /// <param name="threads">How many threads (at least 1): the parallelism its Parallel loops get.</param>
    /// <param name="name">The threads' name (seen in debuggers and /proc).</param>
    public LowPriorityTaskScheduler(int threads, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _threads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = name };
            _threads[i].Start();
        }
    }

    /// <summary>
    /// Why a thread's priority could not be lowered (the first such reason), or null: the work still runs, at the
    /// process's priority. Set once a thread has started; callers log it.
    /// </summary>
    public string? PriorityError => Volatile.Read(ref _priorityError);

    public override int MaximumConcurrencyLevel => _threads.Length;

    /// <summary>
    /// Runs <paramref name="work"/> on a new scheduler of <paramref name="threads"/> low-priority threads and ends them
    /// after it. <paramref name="priorityError"/> hears why the priority could not be lowered, if it could not.
    /// </summary>
    public static Task<T> RunAsync<T>(Func<T> work, int threads, string name, Action<string>? priorityError = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunAsync(_ => work(), threads, name, priorityError, cancellationToken);
    }

    /// <summary>
    /// As <see cref="RunAsync{T}(Func{T}, int, string, Action{string}?, CancellationToken)"/>, and the work gets a
    /// <see cref="CallerPriorityThread"/> started here, at the caller's priority, for its steps that start threads.
    /// Parallel loops inside the work stay on the low-priority threads only when given
    /// <c>new ParallelOptions { TaskScheduler = TaskScheduler.Current }</c>: .NET's Parallel.For without it runs on the
    /// thread pool, and a pool thread the pool starts from one of these threads would keep nice 19 for good.
    /// </summary>
    public static async Task<T> RunAsync<T>(Func<CallerPriorityThread, T> work, int threads, string name, Action<string>? priorityError = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        using var callerPriority = new CallerPriorityThread(name + " (caller priority)");
        using var scheduler = new LowPriorityTaskScheduler(threads, name);
        var task = Task.Factory.StartNew(() =>
        {
            if (scheduler.PriorityError is { } why)
                priorityError?.Invoke(why);
            return work(callerPriority);
        }, cancellationToken, TaskCreationOptions.DenyChildAttach | TaskCreationOptions.RunContinuationsAsynchronously, scheduler);
        // RunContinuationsAsynchronously: the caller's continuation goes to the pool, not on at nice 19 on the thread that finished.
        return await task.ConfigureAwait(false);
    }

    protected override void QueueTask(Task task) => _queue.Add(task);

    // Only its own threads run its tasks inline: a request thread must never pick the work up at normal priority.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        t_owner == this && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    /// <summary>No more tasks; the threads end once the queued ones have run.</summary>
    public void Dispose()
    {
        if (!_queue.IsAddingCompleted)
            _queue.CompleteAdding();
    }

    private void Work()
    {
        t_owner = this;
        if (Lower() is { } why)
            Interlocked.CompareExchange(ref _priorityError, why, null);
        foreach (var task in _queue.GetConsumingEnumerable())
            TryExecuteTask(task);
    }

    /// <summary>Lowers the calling thread's priority; returns why it could not, or null.</summary>
    internal static string? Lower()
    {
        if (OperatingSystem.IsLinux())
        {
            // On Linux the nice value is per thread: PRIO_PROCESS with a thread id sets that thread alone.
            int tid = GetThreadId();
            if (SetPriority(PrioProcess, tid, LinuxNice) != 0)
                return $"setpriority(nice {LinuxNice}) refused (errno {Marshal.GetLastPInvokeError()})";
            return null;
        }
        try
        {
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
            return null;
        }
        catch (Exception e) when (e is ThreadStateException or PlatformNotSupportedException)
        {
            return $"thread priority not lowered ({e.Message})";
        }
    }

    /// <summary>The calling thread's nice value (Linux), read back from the kernel; null elsewhere or on an error.</summary>
    public static int? CurrentThreadNice()
    {
        if (!OperatingSystem.IsLinux())
            return null;
        Marshal.SetLastPInvokeError(0);
        int nice = GetPriority(PrioProcess, GetThreadId());
        // -1 is also a valid nice value: only errno tells the two apart.
        return nice == -1 && Marshal.GetLastPInvokeError() != 0 ? null : nice;
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static partial int GetPriority(int which, int who);
}
