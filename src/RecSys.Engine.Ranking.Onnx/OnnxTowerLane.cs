using Microsoft.ML.OnnxRuntime;
using RecSys.Engine.Models.TwoTower;

namespace RecSys.Engine.Ranking.Onnx;

/// <summary>
/// One caller's pre-allocated state for a tower: pinned feature, id and output buffers sized for the largest call, and
/// per row count an I/O binding of OrtValues over them (<see cref="OnnxLane"/>).
/// </summary>
internal sealed class OnnxTowerLane : OnnxLane
{
    private readonly TowerSchema _schema;

    public OnnxTowerLane(InferenceSession session, TowerSchema schema, int maxRows)
        : base(session, maxRows)
    {
        _schema = schema;
        Features = GC.AllocateArray<float>(maxRows * schema.Features.Count, pinned: true);
        Ids = GC.AllocateArray<long>(maxRows * schema.IdSlots, pinned: true);
        Output = GC.AllocateArray<float>(maxRows * schema.Dimension, pinned: true);
    }

    public float[] Features { get; }

    public long[] Ids { get; }

    public float[] Output { get; }

    protected override void Bind(OrtIoBinding binding, int rows)
    {
        int f = _schema.Features.Count, slots = _schema.IdSlots, d = _schema.Dimension;
        binding.BindInput(_schema.FeaturesInput, Tensor(Features.AsMemory(0, rows * f), [rows, f]));
        binding.BindInput(_schema.IdsInput, Tensor(Ids.AsMemory(0, rows * slots), [rows, slots]));
        binding.BindOutput(_schema.Output, Tensor(Output.AsMemory(0, rows * d), [rows, d]));
    }
}
