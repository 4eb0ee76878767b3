namespace RecSys.Engine.Pipeline.Sources;

/// <summary>An item's vector by catalog ordinal, empty when the model has none for it (to seed neighbour searches).</summary>
public interface IItemVectors
{
    int Dimension { get; }

    ReadOnlySpan<float> Row(int ordinal);
}
