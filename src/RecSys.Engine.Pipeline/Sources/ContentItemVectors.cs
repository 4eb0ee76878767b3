using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>Content vectors by ordinal from the live catalog (trained items and items added since).</summary>
public sealed class ContentItemVectors(VectorTable table) : IItemVectors
{
    public int Dimension => table.Dimension;

    public ReadOnlySpan<float> Row(int ordinal) => table.Row(ordinal);
}
