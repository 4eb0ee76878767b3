using Microsoft.ML.OnnxRuntime;

namespace RecSys.Engine.Ranking.Onnx;

/// <summary>
/// One caller's pre-allocated state for the ranker: pinned input and output buffers sized for the largest request, and
/// per candidate count an I/O binding of OrtValues over them (<see cref="OnnxLane"/>).
/// </summary>
internal sealed class OnnxRankerLane : OnnxLane
{
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly int _features;
    private readonly bool _outputIsColumn;

    public OnnxRankerLane(InferenceSession session, string inputName, string outputName, int features, bool outputIsColumn, int maxCandidates)
        : base(session, maxCandidates)
    {
        _inputName = inputName;
        _outputName = outputName;
        _features = features;
        _outputIsColumn = outputIsColumn;
        Input = GC.AllocateArray<float>(maxCandidates * features, pinned: true);
        Output = GC.AllocateArray<float>(maxCandidates, pinned: true);
    }

    public float[] Input { get; }

    public float[] Output { get; }

    protected override void Bind(OrtIoBinding binding, int candidates)
    {
        binding.BindInput(_inputName, Tensor(Input.AsMemory(0, candidates * _features), [candidates, _features]));
        binding.BindOutput(_outputName, Tensor(Output.AsMemory(0, candidates), _outputIsColumn ? [candidates, 1] : [candidates]));
    }
}
