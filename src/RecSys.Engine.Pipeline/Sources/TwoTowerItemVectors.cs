using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>
/// The item-tower vectors a two-tower index holds, by ordinal: the trained ones, overlaid by every vector written to the
/// index while serving (an item added or changed live gets its vector from the item tower, into the index and here at
/// once). So a source can score listed items without the index, and an upsert can tell whether the index already holds
/// an item's vector.
/// </summary>
public sealed class TwoTowerItemVectors(TwoTowerModel model) : IItemVectors
{
    private readonly VectorTable _live = new(model.Dimension);

    public int Dimension => model.Dimension;

    public ReadOnlySpan<float> Row(int ordinal)
    {
        ReadOnlySpan<float> live = _live.Row(ordinal);
        if (!live.IsEmpty)
            return live;
        return (uint)ordinal < (uint)model.ItemCount ? model.ItemVector(ordinal) : default;
    }

    /// <summary>Records <paramref name="vector"/> as the item's vector in the index. Serialised by the catalog writer.</summary>
    internal void Set(int ordinal, ReadOnlySpan<float> vector) => _live.Set(ordinal, vector);
}
