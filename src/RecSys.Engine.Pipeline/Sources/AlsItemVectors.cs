using RecSys.Engine.Models.Als;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>
/// ALS item factors by ordinal: the trained rows, and, for items the model has no row for (added after training, or
/// trained without events: an all-zero row), the rows folded in from their users while serving
/// (<see cref="RecommendationPipeline"/>: <see cref="ImplicitAls.FoldInItem"/>). Such an item has none until then.
/// </summary>
public sealed class AlsItemVectors(ImplicitAls als) : IItemVectors
{
    private readonly VectorTable _folded = new(als.Factors);

    public int Dimension => als.Factors;

    public ReadOnlySpan<float> Row(int ordinal)
    {
        ReadOnlySpan<float> folded = _folded.Row(ordinal);
        if (!folded.IsEmpty || (uint)ordinal >= (uint)als.ItemCount)
            return folded;
        ReadOnlySpan<float> row = als.ItemRow(ordinal);
        return row.ContainsAnyExcept(0f) ? row : default;
    }

    /// <summary>The folded row where there is one, else the trained row as stored (zeros for an item trained without events).</summary>
    public ReadOnlySpan<float> StoredRow(int ordinal)
    {
        // Empty, and a single length check, while nothing is folded in (the table's length is 0).
        ReadOnlySpan<float> folded = _folded.Row(ordinal);
        return !folded.IsEmpty || (uint)ordinal >= (uint)als.ItemCount ? folded : als.ItemRow(ordinal);
    }

    /// <summary>True when the model has no usable trained row for the item: past its items, or trained without events.</summary>
    public bool NeedsFoldIn(int ordinal) => (uint)ordinal >= (uint)als.ItemCount || !als.ItemRow(ordinal).ContainsAnyExcept(0f);

    /// <summary>Records the folded-in row of an item the model has no trained row for (serialised by the caller).</summary>
    internal void SetFolded(int ordinal, ReadOnlySpan<float> row)
    {
        if (!NeedsFoldIn(ordinal))
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"item {ordinal} has a trained row");
        _folded.Set(ordinal, row);
    }
}
