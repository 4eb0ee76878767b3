using RecSys.Engine.Pipeline.Collections;

namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// The merged, deduplicated candidates of one request as columns (struct of arrays), with provenance: which
/// sources found each item, at which rank and with which score. Filters compact it; the ranker scores it;
/// post-processing reads it. Pooled with the request, sized once, never shrunk.
/// <code>
///   i: 0 .. Count-1      Ordinals[i]  ItemIds[i]  Scores[i]  SourceMask[i] (bit s: source s found it)  PrimarySource[i]
///   per source s:        SourceRank(s)[i] (1 = the source's best, 0 = not found)  SourceScore(s)[i] (NaN = not found)
/// </code>
/// PrimarySource is the source that ranked the item best (the earlier source on a tie), or -1 for an item a rule
/// added (a pin); its name is what the response reports.
/// </summary>
public sealed class CandidateSet
{
    /// <summary>Sources one request can merge (provenance is a 32-bit mask).</summary>
    public const int MaxSources = 32;

    private readonly OrdinalMap _index = new();
    private readonly DescendingScoreOrder _order = new();
    private int[] _ordinals = new int[64];
    private long[] _itemIds = new long[64];
    private float[] _scores = new float[64];
    private uint[] _sourceMask = new uint[64];
    private int[] _primary = new int[64];
    private int[] _sourceRanks = new int[64];
    private float[] _sourceScores = new float[64];
    private string[] _sourceNames = new string[MaxSources];

    public int Count { get; private set; }

    /// <summary>Candidates the columns hold room for (the stride of the per-source columns).</summary>
    public int Capacity { get; private set; }

    public int SourceCount { get; private set; }

    public ReadOnlySpan<string> SourceNames => _sourceNames.AsSpan(0, SourceCount);

    public ReadOnlySpan<int> Ordinals => _ordinals.AsSpan(0, Count);

    /// <summary>External item ids (filled by the merge from the catalog id map).</summary>
    public Span<long> ItemIds => _itemIds.AsSpan(0, Count);

    /// <summary>The ranker's scores, then the post-processing adjustments.</summary>
    public Span<float> Scores => _scores.AsSpan(0, Count);

    internal float[] ScoreArray => _scores;

    internal long[] ItemIdArray => _itemIds;

    public ReadOnlySpan<uint> SourceMask => _sourceMask.AsSpan(0, Count);

    public ReadOnlySpan<int> PrimarySource => _primary.AsSpan(0, Count);

    /// <summary>1-based rank of each candidate in source <paramref name="source"/> (0 = not found by it).</summary>
    public ReadOnlySpan<int> SourceRank(int source) => _sourceRanks.AsSpan(CheckSource(source) * Capacity, Count);

    /// <summary>Score of each candidate in source <paramref name="source"/> (NaN = not found by it).</summary>
    public ReadOnlySpan<float> SourceScore(int source) => _sourceScores.AsSpan(CheckSource(source) * Capacity, Count);

    /// <summary>The name the response gives candidate <paramref name="i"/>'s origin.</summary>
    public string SourceNameOf(int i) => _primary[i] >= 0 ? _sourceNames[_primary[i]] : "rule";

    /// <summary>Empties the set for <paramref name="sourceNames"/> (in merge order) and up to <paramref name="capacity"/> candidates.</summary>
    public void Reset(ReadOnlySpan<string> sourceNames, int capacity)
    {
        if (sourceNames.Length > MaxSources)
            throw new ArgumentException($"at most {MaxSources} sources per request, got {sourceNames.Length}", nameof(sourceNames));
        SourceCount = sourceNames.Length;
        sourceNames.CopyTo(_sourceNames);
        EnsureCapacity(Math.Max(capacity, 1));
        Count = 0;
        _index.Reset(Capacity);
    }

    /// <summary>Adds one more source column (the search surface's personal re-rank) after the merge.</summary>
    public int AddSource(string name)
    {
        if (SourceCount == MaxSources)
            throw new InvalidOperationException($"at most {MaxSources} sources per request");
        int s = SourceCount++;
        _sourceNames[s] = name;
        EnsureColumns();
        _sourceRanks.AsSpan(s * Capacity, Capacity).Clear();
        _sourceScores.AsSpan(s * Capacity, Capacity).Fill(float.NaN);
        return s;
    }

    /// <summary>The index of <paramref name="ordinal"/>, or -1.</summary>
    public int IndexOf(int ordinal) => _index.TryGetValue(ordinal, out int i) ? i : -1;

    /// <summary>Adds <paramref name="ordinal"/> when new (no provenance yet); returns its index, or -1 when the set is full.</summary>
    public int GetOrAdd(int ordinal, long itemId)
    {
        if (_index.TryGetValue(ordinal, out int existing))
            return existing;
        if (Count == Capacity)
            return -1;
        int i = Count++;
        _index.GetOrAdd(ordinal, i);
        _ordinals[i] = ordinal;
        _itemIds[i] = itemId;
        _scores[i] = 0;
        _sourceMask[i] = 0;
        _primary[i] = -1;
        for (int s = 0; s < SourceCount; s++)
        {
            _sourceRanks[s * Capacity + i] = 0;
            _sourceScores[s * Capacity + i] = float.NaN;
        }
        return i;
    }

    /// <summary>Records that source <paramref name="source"/> found candidate <paramref name="i"/> at 1-based <paramref name="rank"/>.</summary>
    public void SetFound(int i, int source, int rank, float score)
    {
        int at = CheckSource(source) * Capacity + i;
        int previous = _sourceRanks[at];
        if (previous != 0 && previous <= rank)
            return;
        _sourceRanks[at] = rank;
        _sourceScores[at] = score;
        _sourceMask[i] |= 1u << source;
        int p = _primary[i];
        if (p < 0 || rank < _sourceRanks[p * Capacity + i])
            _primary[i] = source;
    }

    /// <summary>Keeps the candidates whose keep flag is set, in order, in every column; returns the new count.</summary>
    public int Compact(ReadOnlySpan<bool> keep)
    {
        int w = 0;
        for (int r = 0; r < Count; r++)
        {
            if (!keep[r])
                continue;
            if (w != r)
            {
                _ordinals[w] = _ordinals[r];
                _itemIds[w] = _itemIds[r];
                _scores[w] = _scores[r];
                _sourceMask[w] = _sourceMask[r];
                _primary[w] = _primary[r];
                for (int s = 0; s < SourceCount; s++)
                {
                    _sourceRanks[s * Capacity + w] = _sourceRanks[s * Capacity + r];
                    _sourceScores[s * Capacity + w] = _sourceScores[s * Capacity + r];
                }
            }
            w++;
        }
        Count = w;
        _index.Reset(Capacity);
        for (int i = 0; i < w; i++)
            _index.GetOrAdd(_ordinals[i], i);
        return w;
    }

    /// <summary>
    /// Gives source <paramref name="source"/> a rank column from <paramref name="scores"/> (per candidate, higher
    /// first; NaN = not ranked by it). <paramref name="order"/> is scratch of at least Count entries.
    /// </summary>
    public void RankByScores(int source, float[] scores, Span<int> order)
    {
        int m = 0;
        for (int i = 0; i < Count; i++)
        {
            if (!float.IsNaN(scores[i]))
                order[m++] = i;
        }
        _order.Sort(order[..m], scores);
        for (int r = 0; r < m; r++)
            SetFound(order[r], source, r + 1, scores[order[r]]);
    }

    private int CheckSource(int source)
    {
        if ((uint)source >= (uint)SourceCount)
            throw new ArgumentOutOfRangeException(nameof(source), source, $"sources run 0..{SourceCount - 1}");
        return source;
    }

    private void EnsureCapacity(int capacity)
    {
        if (_ordinals.Length < capacity)
        {
            _ordinals = new int[capacity];
            _itemIds = new long[capacity];
            _scores = new float[capacity];
            _sourceMask = new uint[capacity];
            _primary = new int[capacity];
        }
        Capacity = capacity;
        EnsureColumns();
    }

    private void EnsureColumns()
    {
        int need = Math.Max(SourceCount, 1) * Capacity;
        if (_sourceRanks.Length < need)
        {
            var ranks = new int[Math.Max(need, _sourceRanks.Length * 2)];
            var scores = new float[ranks.Length];
            _sourceRanks.AsSpan().CopyTo(ranks);
            _sourceScores.AsSpan().CopyTo(scores);
            _sourceRanks = ranks;
            _sourceScores = scores;
        }
    }
}
