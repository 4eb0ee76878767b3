namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// Activation buffers of <see cref="MlpRanker"/> for batches up to <see cref="Capacity"/> rows: grown on demand, so the
/// forward pass allocates nothing once it has seen its largest batch. One per thread.
/// </summary>
public sealed class MlpScratch
{
    private readonly int _widest;

    public MlpScratch(MlpRanker model, int capacity = 512)
    {
        _widest = model.LayerSizes.Max();
        Grow(capacity);
    }

    public int Capacity { get; private set; }

    /// <summary>Two ping-pong activation blocks of [widest layer x capacity].</summary>
    internal float[] A { get; private set; } = [];

    internal float[] B { get; private set; } = [];

    internal void Ensure(int rows)
    {
        if (rows > Capacity)
            Grow(Math.Max(rows, Capacity * 2));
    }

    private void Grow(int capacity)
    {
        Capacity = capacity;
        A = new float[_widest * capacity];
        B = new float[_widest * capacity];
    }
}
