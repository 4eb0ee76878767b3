namespace RecSys.Engine.Pipeline.Sources;

/// <summary>An item's vector by catalog ordinal, empty when the model has none for it (to seed neighbour searches).</summary>
public interface IItemVectors
{
    int Dimension { get; }

    ReadOnlySpan<float> Row(int ordinal);

    /// <summary>
    /// The row as stored, without <see cref="Row"/>'s checks that read it (an all-zero row may come back): a scan takes
    /// the address to prefetch and tests a row for zeros only when it would keep it.
    /// </summary>
    ReadOnlySpan<float> StoredRow(int ordinal) => Row(ordinal);
}
