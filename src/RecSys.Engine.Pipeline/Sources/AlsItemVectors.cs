using RecSys.Engine.Models.Als;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>ALS item factors by ordinal; items trained without events (an all-zero row) or added after training have none.</summary>
public sealed class AlsItemVectors(ImplicitAls als) : IItemVectors
{
    public int Dimension => als.Factors;

    public ReadOnlySpan<float> Row(int ordinal)
    {
        if ((uint)ordinal >= (uint)als.ItemCount)
            return default;
        ReadOnlySpan<float> row = als.ItemRow(ordinal);
        return row.ContainsAnyExcept(0f) ? row : default;
    }

    public ReadOnlySpan<float> StoredRow(int ordinal) => (uint)ordinal < (uint)als.ItemCount ? als.ItemRow(ordinal) : default;
}
