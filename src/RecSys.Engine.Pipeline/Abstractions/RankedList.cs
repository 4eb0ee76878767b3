namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// The answer being shaped by the list stages of post-processing: candidate indices (into the
/// <see cref="CandidateSet"/>) in display order, each with its score, whether an exploration slot chose it (and
/// with what probability) and whether a rule pinned it. Pooled with the request.
/// </summary>
public sealed class RankedList
{
    private int[] _candidates = new int[64];
    private float[] _scores = new float[64];
    private float[] _propensities = new float[64];
    private byte[] _flags = new byte[64];

    private const byte ExplorationFlag = 1;
    private const byte PinnedFlag = 2;

    public int Count { get; private set; }

    public int Candidate(int position) => _candidates[position];

    public float Score(int position) => _scores[position];

    public bool IsExploration(int position) => (_flags[position] & ExplorationFlag) != 0;

    public bool IsPinned(int position) => (_flags[position] & PinnedFlag) != 0;

    /// <summary>Probability that the exploration policy put this item here (1 for a ranked position).</summary>
    public float Propensity(int position) => _propensities[position];

    public ReadOnlySpan<int> Candidates => _candidates.AsSpan(0, Count);

    public bool Contains(int candidate) => Candidates.Contains(candidate);

    internal void Clear(int capacity)
    {
        if (_candidates.Length < capacity)
        {
            _candidates = new int[capacity];
            _scores = new float[capacity];
            _propensities = new float[capacity];
            _flags = new byte[capacity];
        }
        Count = 0;
    }

    internal void Add(int candidate, float score) => Insert(Count, candidate, score, 1f, 0);

    /// <summary>Inserts at <paramref name="position"/> (clamped to the end), shifting the rest down.</summary>
    internal void Insert(int position, int candidate, float score, float propensity, byte flags)
    {
        if (Count == _candidates.Length)
        {
            int size = _candidates.Length * 2;
            Array.Resize(ref _candidates, size);
            Array.Resize(ref _scores, size);
            Array.Resize(ref _propensities, size);
            Array.Resize(ref _flags, size);
        }
        position = Math.Min(position, Count);
        int tail = Count - position;
        _candidates.AsSpan(position, tail).CopyTo(_candidates.AsSpan(position + 1));
        _scores.AsSpan(position, tail).CopyTo(_scores.AsSpan(position + 1));
        _propensities.AsSpan(position, tail).CopyTo(_propensities.AsSpan(position + 1));
        _flags.AsSpan(position, tail).CopyTo(_flags.AsSpan(position + 1));
        _candidates[position] = candidate;
        _scores[position] = score;
        _propensities[position] = propensity;
        _flags[position] = flags;
        Count++;
    }

    internal void InsertExploration(int position, int candidate, float score, float propensity) =>
        Insert(position, candidate, score, propensity, ExplorationFlag);

    internal void InsertPinned(int position, int candidate, float score) => Insert(position, candidate, score, 1f, PinnedFlag);

    internal void RemoveAt(int position)
    {
        int tail = Count - position - 1;
        _candidates.AsSpan(position + 1, tail).CopyTo(_candidates.AsSpan(position));
        _scores.AsSpan(position + 1, tail).CopyTo(_scores.AsSpan(position));
        _propensities.AsSpan(position + 1, tail).CopyTo(_propensities.AsSpan(position));
        _flags.AsSpan(position + 1, tail).CopyTo(_flags.AsSpan(position));
        Count--;
    }

    internal void Truncate(int count) => Count = Math.Min(Count, count);

    public int IndexOf(int candidate) => Candidates.IndexOf(candidate);
}
