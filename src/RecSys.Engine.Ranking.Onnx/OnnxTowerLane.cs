using Microsoft.ML.OnnxRuntime;
using RecSys.Engine.Models.TwoTower;

namespace RecSys.Engine.Ranking.Onnx;

/// <summary>
/// One caller's pre-allocated state for a tower (the <see cref="OnnxRankerLane"/> pattern with the tower's two inputs):
/// pinned feature, id and output buffers sized for the largest call, and per row count an I/O binding of OrtValues over
/// them, made the first time that count is seen; after that a call allocates nothing.
/// </summary>
internal sealed class OnnxTowerLane : IDisposable
{
    private readonly InferenceSession _session;
    private readonly TowerSchema _schema;
    private readonly OrtIoBinding?[] _bindings;
    private readonly List<IDisposable> _owned = [];

    public OnnxTowerLane(InferenceSession session, TowerSchema schema, int maxRows)
    {
        _session = session;
        _schema = schema;
        Features = GC.AllocateArray<float>(maxRows * schema.Features.Count, pinned: true);
        Ids = GC.AllocateArray<long>(maxRows * schema.IdSlots, pinned: true);
        Output = GC.AllocateArray<float>(maxRows * schema.Dimension, pinned: true);
        _bindings = new OrtIoBinding?[maxRows + 1];
    }

    public float[] Features { get; }

    public long[] Ids { get; }

    public float[] Output { get; }

    public RunOptions RunOptions { get; } = new();

    public OrtIoBinding Binding(int rows)
    {
        if (_bindings[rows] is { } made)
            return made;
        int f = _schema.Features.Count, slots = _schema.IdSlots, d = _schema.Dimension;
        OrtValue Own(OrtValue value)
        {
            _owned.Add(value);
            return value;
        }
        var memory = OrtMemoryInfo.DefaultInstance;
        var binding = _session.CreateIoBinding();
        _owned.Add(binding);
        binding.BindInput(_schema.FeaturesInput, Own(OrtValue.CreateTensorValueFromMemory(memory, Features.AsMemory(0, rows * f), [rows, f])));
        binding.BindInput(_schema.IdsInput, Own(OrtValue.CreateTensorValueFromMemory(memory, Ids.AsMemory(0, rows * slots), [rows, slots])));
        binding.BindOutput(_schema.Output, Own(OrtValue.CreateTensorValueFromMemory(memory, Output.AsMemory(0, rows * d), [rows, d])));
        return _bindings[rows] = binding;
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
        RunOptions.Dispose();
    }
}
