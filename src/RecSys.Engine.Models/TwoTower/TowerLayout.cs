namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// Where one tower lives in the model's flat parameter array, and its shape:
/// <code>
///  input [features | pooled id embeddings (E wide)] -> Dense+ReLU (hidden...) -> Dense (dimension) -> L2 normalise
///  parameters: W1, b1, ..., Wk, bk from Offset on (W is [out x in] row-major, like ONNX Gemm with transB = 1)
/// </code>
/// The id slots are pooled by mean over the ids that are not the padding id: a user's recent items (MaxHistory slots),
/// or an item's own id (one slot, the padding id when the item has no trained embedding).
/// </summary>
public sealed class TowerLayout
{
    private readonly int[] _sizes;
    private readonly int[] _weightOffset;
    private readonly int[] _biasOffset;

    internal TowerLayout(TowerKind kind, int features, int idSlots, int embeddingDimension, IReadOnlyList<int> hidden, int dimension, int offset)
    {
        Kind = kind;
        Features = features;
        IdSlots = idSlots;
        EmbeddingDimension = embeddingDimension;
        _sizes = [features + embeddingDimension, .. hidden, dimension];
        _weightOffset = new int[LayerCount];
        _biasOffset = new int[LayerCount];
        Offset = offset;
        for (int l = 0; l < LayerCount; l++)
        {
            _weightOffset[l] = offset;
            offset += _sizes[l] * _sizes[l + 1];
            _biasOffset[l] = offset;
            offset += _sizes[l + 1];
        }
        End = offset;
    }

    public TowerKind Kind { get; }

    /// <summary>Dense features per row.</summary>
    public int Features { get; }

    /// <summary>Ids pooled per row.</summary>
    public int IdSlots { get; }

    public int EmbeddingDimension { get; }

    /// <summary>Units per layer, input first: [features + embedding, hidden..., dimension].</summary>
    public IReadOnlyList<int> LayerSizes => _sizes;

    public int LayerCount => _sizes.Length - 1;

    public int Dimension => _sizes[^1];

    /// <summary>Widest layer (activation buffers are this many rows).</summary>
    public int Widest => _sizes.Max();

    /// <summary>First and one-past-last parameter of this tower.</summary>
    public int Offset { get; }

    public int End { get; }

    public int WeightOffset(int layer) => _weightOffset[layer];

    public int BiasOffset(int layer) => _biasOffset[layer];

    public int WeightCount(int layer) => _sizes[layer] * _sizes[layer + 1];
}
