using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Ranking;

namespace RecSys.Engine.Server.Tests.Support;

/// <summary>
/// A ranker the test can hold: while armed, each call signals that it entered (so the test knows a call is in flight
/// inside the pipeline, with no sleeps) and waits for <see cref="Release"/> or its cancellation token; a cancelled wait
/// is recorded (how the tests see a deadline flow down to the ranker). Disarmed, it ranks as the rank-fusion fallback.
/// </summary>
public sealed class GateRanker : IRanker
{
    private readonly ReciprocalRankFusionRanker _inner = new();
    private readonly SemaphoreSlim _entered = new(0);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "gate";

    public bool NeedsFeatures => false;

    public volatile bool Armed;

    /// <summary>Completes when a held call saw its token cancelled.</summary>
    public Task Cancelled => _cancelled.Task;

    public async ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
    {
        if (Armed)
        {
            _entered.Release();
            try
            {
                await _gate.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _cancelled.TrySetResult();
                throw;
            }
        }
        await _inner.ScoreAsync(input, scores, cancellationToken);
    }

    /// <summary>Waits until <paramref name="calls"/> calls are held (a generous bound so a broken server fails instead of hanging).</summary>
    public async Task WaitForEnteredAsync(int calls)
    {
        for (int i = 0; i < calls; i++)
            Assert.True(await _entered.WaitAsync(TimeSpan.FromSeconds(60)), $"only {i} of {calls} calls reached the ranker");
    }

    /// <summary>Lets every held call go on, and disarms.</summary>
    public void Release()
    {
        Armed = false;
        _gate.TrySetResult();
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
