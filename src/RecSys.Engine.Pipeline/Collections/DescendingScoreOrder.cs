namespace RecSys.Engine.Pipeline.Collections;

/// <summary>
/// Sorts candidate indices by a score column, highest first, ties to the lower index (deterministic whatever the
/// sort does with equal keys); NaN sorts last. A reusable class comparer, so sorting allocates nothing.
/// </summary>
internal sealed class DescendingScoreOrder : IComparer<int>
{
    private float[] _scores = [];
    private int _offset;

    public void Sort(Span<int> indices, float[] scores, int offset = 0)
    {
        _scores = scores;
        _offset = offset;
        indices.Sort(this);
        _scores = [];
    }

    public int Compare(int a, int b)
    {
        int c = _scores[_offset + b].CompareTo(_scores[_offset + a]);
        return c != 0 ? c : a.CompareTo(b);
    }
}
