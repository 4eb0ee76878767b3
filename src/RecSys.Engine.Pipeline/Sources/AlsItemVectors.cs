using RecSys.Engine.Models.Als;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>
/// ALS item factors by ordinal: the trained rows, then, for items added after training, the rows folded in from their
/// users while serving (<see cref="RecommendationPipeline"/>: <see cref="ImplicitAls.FoldInItem"/>). An item trained
/// without events (an all-zero row), or added and not yet folded in, has none.
/// </summary>
public sealed class AlsItemVectors(ImplicitAls als) : IItemVectors
{
    private readonly VectorTable _folded = new(als.Factors);

    public int Dimension => als.Factors;

    /// <summary>The model's trained items: ordinals from here on can only have a folded row.</summary>
    public int TrainedItems => als.ItemCount;

    public ReadOnlySpan<float> Row(int ordinal)
    {
        if ((uint)ordinal >= (uint)als.ItemCount)
            return _folded.Row(ordinal);
        ReadOnlySpan<float> row = als.ItemRow(ordinal);
        return row.ContainsAnyExcept(0f) ? row : default;
    }

    public ReadOnlySpan<float> StoredRow(int ordinal) => (uint)ordinal < (uint)als.ItemCount ? als.ItemRow(ordinal) : _folded.Row(ordinal);

    /// <summary>Records the folded-in row of an item added after training (serialised by the caller).</summary>
    internal void SetFolded(int ordinal, ReadOnlySpan<float> row)
    {
        if (ordinal < als.ItemCount)
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"item {ordinal} has a trained row (the model has {als.ItemCount} items)");
        _folded.Set(ordinal, row);
    }
}
