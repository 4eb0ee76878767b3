using Microsoft.ML.OnnxRuntime;

namespace RecSys.Engine.Ranking.Onnx;

/// <summary>
/// One caller's pre-allocated state in an <see cref="OnnxServingSession{TLane}"/>: pinned buffers (the subclass's, sized
/// for the largest call) and per row count an I/O binding of OrtValues over them (ONNX Runtime tensors carry their
/// shape, so each count needs its own), made the first time that count is seen; after that a call allocates nothing.
/// </summary>
internal abstract class OnnxLane : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtIoBinding?[] _bindings;
    private readonly List<IDisposable> _owned = [];

    protected OnnxLane(InferenceSession session, int maxRows)
    {
        _session = session;
        _bindings = new OrtIoBinding?[maxRows + 1];
    }

    public RunOptions RunOptions { get; } = new();

    public OrtIoBinding Binding(int rows)
    {
        if (_bindings[rows] is { } made)
            return made;
        OrtIoBinding binding = _session.CreateIoBinding();
        _owned.Add(binding);
        Bind(binding, rows);
        return _bindings[rows] = binding;
    }

    /// <summary>Binds the inputs and outputs of a call of <paramref name="rows"/> rows (tensors from <see cref="Tensor{T}"/>).</summary>
    protected abstract void Bind(OrtIoBinding binding, int rows);

    /// <summary>A tensor over (a prefix of) one of the lane's pinned buffers, disposed with the lane.</summary>
    protected OrtValue Tensor<T>(Memory<T> memory, long[] shape) where T : unmanaged
    {
        var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, memory, shape);
        _owned.Add(value);
        return value;
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
        RunOptions.Dispose();
    }
}
