using Microsoft.ML.OnnxRuntime;

namespace RecSys.Engine.Ranking.Onnx;

/// <summary>
/// One caller's pre-allocated state: pinned input and output buffers sized for the largest request, and per candidate
/// count an I/O binding of OrtValues over those buffers (ONNX Runtime tensors carry their shape, so each count needs
/// its own pair). A count's binding is made the first time it is seen; after that a call allocates nothing.
/// </summary>
internal sealed class OnnxRankerLane : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly int _features;
    private readonly bool _outputIsColumn;
    private readonly OrtIoBinding?[] _bindings;
    private readonly List<IDisposable> _owned = [];

    public OnnxRankerLane(InferenceSession session, string inputName, string outputName, int features, bool outputIsColumn, int maxCandidates)
    {
        _session = session;
        _inputName = inputName;
        _outputName = outputName;
        _features = features;
        _outputIsColumn = outputIsColumn;
        Input = GC.AllocateArray<float>(maxCandidates * features, pinned: true);
        Output = GC.AllocateArray<float>(maxCandidates, pinned: true);
        _bindings = new OrtIoBinding?[maxCandidates + 1];
    }

    public float[] Input { get; }

    public float[] Output { get; }

    public RunOptions RunOptions { get; } = new();

    public OrtIoBinding Binding(int candidates)
    {
        OrtIoBinding? binding = _bindings[candidates];
        if (binding is not null)
            return binding;
        var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Input.AsMemory(0, candidates * _features), [candidates, _features]);
        _owned.Add(input);
        long[] outputShape = _outputIsColumn ? [candidates, 1] : [candidates];
        var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Output.AsMemory(0, candidates), outputShape);
        _owned.Add(output);
        binding = _session.CreateIoBinding();
        _owned.Add(binding);
        binding.BindInput(_inputName, input);
        binding.BindOutput(_outputName, output);
        return _bindings[candidates] = binding;
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
        RunOptions.Dispose();
    }
}
