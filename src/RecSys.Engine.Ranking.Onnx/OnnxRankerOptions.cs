namespace RecSys.Engine.Ranking.Onnx;

/// <summary>Settings of <see cref="OnnxRanker"/>.</summary>
public sealed record OnnxRankerOptions
{
    public OnnxExecutionProvider ExecutionProvider { get; init; } = OnnxExecutionProvider.Auto;

    /// <summary>ONNX Runtime's intra-op threads per call; 1 keeps a request on its own core (the serving default).</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>The largest candidate count one call scores (the input buffers are sized for it at load).</summary>
    public int MaxCandidates { get; init; } = 1000;

    /// <summary>Calls that may run at once, each on its own pre-allocated buffers; more callers wait for a free one.</summary>
    public int ConcurrentCalls { get; init; } = Environment.ProcessorCount;

    public int CudaDeviceId { get; init; }

    /// <summary>Receives the load's log lines (the provider chosen and, on fallback, why).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// Checks every setting (the loaders call it); a bad one is an <see cref="ArgumentOutOfRangeException"/> whose
    /// ParamName is the property, so a config layer can name its own key for it.
    /// </summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(IntraOpThreads, 1, nameof(IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCandidates, 1, nameof(MaxCandidates));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConcurrentCalls, 1, nameof(ConcurrentCalls));
        ArgumentOutOfRangeException.ThrowIfNegative(CudaDeviceId, nameof(CudaDeviceId));
        if (!Enum.IsDefined(ExecutionProvider))
            throw new ArgumentOutOfRangeException(nameof(ExecutionProvider), $"unknown execution provider {ExecutionProvider}");
    }
}
