using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Tests.Support;

/// <summary>A ranker that is plainly not the fallback (it ranks the merged candidates in reverse merge order); a gated one holds every request until the test opens its gate.</summary>
internal sealed class TestRanker(string path, bool gated) : IRanker, IDisposable
{
    public string Path { get; } = path;

    /// <summary>Set when the first request reaches the ranker.</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A gated ranker holds every request until this is set.</summary>
    public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Disposed { get; private set; }

    public string Name => "test";

    public bool NeedsFeatures => false;

    public async ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        if (gated)
            await Open.Task.WaitAsync(cancellationToken);
        ObjectDisposedException.ThrowIf(Disposed, this);
        for (int i = 0; i < input.Count; i++)
            scores.Span[i] = i;
    }

    public void Dispose() => Disposed = true;
}
