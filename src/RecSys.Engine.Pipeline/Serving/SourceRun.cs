using System.Diagnostics;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// One source's turn in one request: its output list, its budget (a pooled cancellation source set to fire when
/// the budget runs out), and how it ended (finished, threw, took longer than its budget). Pooled with the request;
/// a run still going when the request stops waiting is abandoned with its whole scratch, never reused.
/// </summary>
internal sealed class SourceRun
{
    private readonly Func<Task> _execute;
    private CancellationTokenSource _budget = new();
    private long _start;
    private long _began;
    private long _end;
    private volatile bool _finished;

    public SourceRun() => _execute = ExecuteAsync;

    public ICandidateSource Source { get; private set; } = null!;

    public SourceConfig Config { get; private set; } = null!;

    public CandidateList Output { get; } = new();

    public Exception? Error { get; private set; }

    public bool Finished => _finished;

    /// <summary>Never ran: run inline, its turn came with none of the request's time left (a timeout).</summary>
    public bool Skipped { get; private set; }

    /// <summary>Finished within its budget without an error: its candidates count.</summary>
    public bool Succeeded => _finished && Error is null && !OverBudget;

    /// <summary>Stopwatch ticks from when the run was scheduled to when the source began (the pool's queue, when run in parallel).</summary>
    public long WaitTicks => _began - _start;

    /// <summary>Stopwatch ticks the source itself ran; meaningful once <see cref="Finished"/>.</summary>
    public long RunTicks => _end - _began;

    /// <summary>The budget counts from when the run was scheduled (time in the pool's queue is the request's time too).</summary>
    public bool OverBudget => Stopwatch.GetElapsedTime(_start, _end) > _limit;

    // The run's own budget, or less when run inline with less of the request's time left (see RunInline).
    private TimeSpan _limit;

    private static readonly OperationCanceledException s_noTimeLeft = new("the request's time for its sources ran out before this source's turn");

    private RequestContext _context = null!;

    public void Prepare(ICandidateSource source, SourceConfig config, RequestContext context)
    {
        Source = source;
        Config = config;
        _context = context;
        Output.Reset(config, SourceDegradation.Scale(config.Count, context.SourceShare));
        Error = null;
        _finished = false;
        Skipped = false;
        if (!_budget.TryReset())
        {
            _budget.Dispose();
            _budget = new CancellationTokenSource();
        }
    }

    /// <summary>Runs the source on the thread pool; its budget starts now, so time in the pool's queue counts.</summary>
    public Task StartOnPool()
    {
        StartBudget(Config.Budget);
        return Task.Run(_execute);
    }

    /// <summary>
    /// Runs the source on the calling thread (a synchronous source costs no task). Its budget starts now, not when the
    /// request prepared its runs (run one after another, a source's budget would otherwise include the sources before
    /// it), and is cut to <paramref name="requestTimeLeft"/>, so the sources together take no longer than in parallel
    /// (the largest budget). With no time left the source does not run and counts as a timeout.
    /// </summary>
    public Task RunInline(TimeSpan requestTimeLeft)
    {
        if (requestTimeLeft <= TimeSpan.Zero)
        {
            _start = _began = _end = Stopwatch.GetTimestamp();
            _limit = TimeSpan.Zero;
            _budget.Cancel();
            Error = s_noTimeLeft;
            Skipped = true;
            _finished = true;
            return Task.CompletedTask;
        }
        StartBudget(requestTimeLeft < Config.Budget ? requestTimeLeft : Config.Budget);
        return ExecuteAsync();
    }

    private void StartBudget(TimeSpan limit)
    {
        _start = Stopwatch.GetTimestamp();
        _limit = limit;
        _budget.CancelAfter(limit);
    }

    /// <summary>Why the run does not count ("timeout", "error: ..."); null when it succeeded.</summary>
    public string? FailureReason() =>
        !_finished ? "timeout"
        : Error is OperationCanceledException && _budget.IsCancellationRequested ? "timeout"
        : Error is not null ? "error: " + Error.GetType().Name + ": " + Error.Message
        : OverBudget ? "timeout"
        : null;

    private async Task ExecuteAsync()
    {
        _began = Stopwatch.GetTimestamp();
        try
        {
            await Source.RetrieveAsync(_context, Output, _budget.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Error = e;
        }
        finally
        {
            _end = Stopwatch.GetTimestamp();
            _finished = true;
        }
    }
}
