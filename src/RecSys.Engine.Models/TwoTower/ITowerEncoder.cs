namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// One tower of a two-tower model as a function: dense feature rows and pooled ids in, unit-length vectors out. Two
/// implementations agree within 1e-5: the C# forward pass (<see cref="TwoTowerModel.UserEncoder"/>) and the exported
/// ONNX graph on ONNX Runtime (Ranking.Onnx's OnnxTowerEncoder), so serving can run either. Thread-safe.
/// </summary>
public interface ITowerEncoder
{
    TowerKind Kind { get; }

    /// <summary>Dense features per row (<see cref="TwoTowerFeatures.UserCount"/> or <see cref="TwoTowerFeatures.ItemCount"/>).</summary>
    int FeatureCount { get; }

    /// <summary>Ids per row: the user's recent items (MaxHistory) or the item itself (1).</summary>
    int IdSlots { get; }

    /// <summary>The id that fills unused slots and stands for "no trained embedding" (the trained item count).</summary>
    long PaddingId { get; }

    int Dimension { get; }

    /// <summary>
    /// Encodes <paramref name="n"/> rows: <paramref name="features"/> [n x FeatureCount] and <paramref name="ids"/>
    /// [n x IdSlots] (item ordinals, or <see cref="PaddingId"/>), both row-major, into <paramref name="vectors"/> [n x Dimension].
    /// </summary>
    void Encode(ReadOnlySpan<float> features, ReadOnlySpan<long> ids, int n, Span<float> vectors);
}
