namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// What one candidate source returns for one request: catalog ordinals, best first, with the source's own score
/// (higher is better; scales differ between sources, so only ranks are compared across them). Pooled with the
/// request: sized once, reused, never shrunk.
/// </summary>
public sealed class CandidateList
{
    private int[] _ordinals = new int[64];
    private float[] _scores = new float[64];
    private int[] _intScratch = new int[64];
    private float[] _floatScratch = new float[64];
    private long[] _longScratch = new long[64];

    /// <summary>Dedupe map for sources that merge several lists (item-to-item over several seeds).</summary>
    internal Collections.OrdinalMap Map { get; } = new();

    /// <summary>How many candidates the source was asked for.</summary>
    public int Capacity { get; private set; }

    /// <summary>The source's settings on this surface (count, budget, weight, ef).</summary>
    public Config.SourceConfig Config { get; private set; } = new("", 0, TimeSpan.MaxValue);

    public int Count { get; private set; }

    public bool IsFull => Count >= Capacity;

    public ReadOnlySpan<int> Ordinals => _ordinals.AsSpan(0, Count);

    public ReadOnlySpan<float> Scores => _scores.AsSpan(0, Count);

    /// <summary>Empties the list and asks for the count of <paramref name="config"/>.</summary>
    public void Reset(Config.SourceConfig config) => Reset(config, config.Count);

    /// <summary>Empties the list and asks for <paramref name="capacity"/> candidates of a source configured as <paramref name="config"/> (fewer than its count under load).</summary>
    public void Reset(Config.SourceConfig config, int capacity)
    {
        Config = config;
        Reset(capacity);
    }

    /// <summary>Empties the list and asks for <paramref name="capacity"/> candidates.</summary>
    public void Reset(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        if (_ordinals.Length < capacity)
        {
            _ordinals = new int[capacity];
            _scores = new float[capacity];
        }
        Capacity = capacity;
        Count = 0;
    }

    /// <summary>
    /// Appends the best <see cref="Capacity"/> - <see cref="Count"/> of (ordinals[i], scores[i]) in score order
    /// (ties to the smaller ordinal), for sources whose hits come unordered; the input must hold distinct ordinals.
    /// <paramref name="distances"/> and <paramref name="ids"/> are heap scratch of at least that many entries.
    /// </summary>
    public void AddBest(ReadOnlySpan<int> ordinals, ReadOnlySpan<float> scores, Span<float> distances, Span<long> ids)
    {
        int room = Capacity - Count;
        if (room <= 0 || ordinals.IsEmpty)
            return;
        var heap = new Core.Vectors.Selection.TopKHeap(distances[..room], ids[..room]);
        for (int i = 0; i < ordinals.Length; i++)
            heap.Push(-scores[i], ordinals[i]);
        int n = heap.SortAscending();
        for (int r = 0; r < n; r++)
            Add((int)ids[r], -distances[r]);
    }

    /// <summary>Appends a candidate (sources append best first); false when the list is full.</summary>
    public bool Add(int ordinal, float score)
    {
        if (Count >= Capacity)
            return false;
        _ordinals[Count] = ordinal;
        _scores[Count] = score;
        Count++;
        return true;
    }

    /// <summary>Scratch ints for the source, valid until its call returns; growing keeps what the head held.</summary>
    public Span<int> IntScratch(int length) => Scratch(ref _intScratch, length);

    /// <summary>Scratch floats for the source, valid until its call returns.</summary>
    public Span<float> FloatScratch(int length) => Scratch(ref _floatScratch, length);

    /// <summary>Scratch longs for the source, valid until its call returns.</summary>
    public Span<long> LongScratch(int length) => Scratch(ref _longScratch, length);

    private static Span<T> Scratch<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            Array.Resize(ref buffer, Math.Max(length, buffer.Length * 2));
        return buffer.AsSpan(0, length);
    }
}
