namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// Buffers of one tower's forward pass for batches up to <see cref="Capacity"/> rows, grown on demand (then a pass
/// allocates nothing). Training keeps every layer's activations for the backward pass; one per thread.
/// </summary>
internal sealed class TowerScratch
{
    private readonly TowerLayout _tower;

    public TowerScratch(TowerLayout tower, int capacity)
    {
        _tower = tower;
        Layers = new float[tower.LayerCount + 1][];
        Grow(Math.Max(capacity, 1));
    }

    public int Capacity { get; private set; }

    /// <summary>Layers[0] is the input block [(features + embedding) x n], Layers[l] layer l's output, feature-major.</summary>
    public float[][] Layers { get; }

    /// <summary>Pre-normalisation outputs, row-major [n x dimension], then the unit vectors in place.</summary>
    public float[] Output { get; private set; } = [];

    /// <summary>Each row's output norm (the normalisation's divisor).</summary>
    public float[] Norms { get; private set; } = [];

    /// <summary>Each row's count of pooled (non-padding) ids.</summary>
    public int[] Counts { get; private set; } = [];

    /// <summary>One pooled embedding being summed.</summary>
    public float[] Pool { get; private set; } = [];

    public void Ensure(int rows)
    {
        if (rows > Capacity)
            Grow(Math.Max(rows, Capacity * 2));
    }

    private void Grow(int capacity)
    {
        Capacity = capacity;
        for (int l = 0; l <= _tower.LayerCount; l++)
            Layers[l] = new float[_tower.LayerSizes[l] * capacity];
        Output = new float[_tower.Dimension * capacity];
        Norms = new float[capacity];
        Counts = new int[capacity];
        Pool = new float[_tower.EmbeddingDimension];
    }
}
