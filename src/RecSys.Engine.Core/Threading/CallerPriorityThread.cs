using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace RecSys.Engine.Core.Threading;

/// <summary>
/// One thread started by its creator, so at the creator's priority, that runs work handed to it from elsewhere and
/// blocks the handing thread until it is done. <see cref="LowPriorityTaskScheduler"/> work uses it for the steps that
/// start threads of their own (an ONNX Runtime session's thread pool): on Linux a new thread inherits its creator's
/// nice value, so started from a nice-19 thread they would serve every later request at nice 19.
/// </summary>
public sealed class CallerPriorityThread : IDisposable
{
    private readonly BlockingCollection<Action> _queue = new();

    /// <param name="name">The thread's name.</param>
    public CallerPriorityThread(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var thread = new Thread(() =>
        {
            foreach (var action in _queue.GetConsumingEnumerable())
                action();
        }) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the thread and returns its result (or throws its exception, as thrown).</summary>
    public T Run<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        T result = default!;
        ExceptionDispatchInfo? error = null;
        using var done = new ManualResetEventSlim();
        _queue.Add(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        error?.Throw();
        return result;
    }

    /// <summary>No more work; the thread ends after what was handed to it.</summary>
    public void Dispose()
    {
        if (!_queue.IsAddingCompleted)
            _queue.CompleteAdding();
    }
}
