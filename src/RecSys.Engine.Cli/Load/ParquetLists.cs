namespace RecSys.Engine.Cli.Load;

/// <summary>
/// One row group's list column as <see cref="ParquetTable.ReadLists{T}"/> leaves it: the non-null values packed, and per
/// row the first value's index, the value count, and why the row is unusable (null or empty list, a null element), if it is.
/// </summary>
internal sealed class ParquetLists<T>(T[] values, int rows)
{
    public T[] Values { get; } = values;

    public int[] Start { get; } = new int[rows];

    public int[] Count { get; } = new int[rows];

    public string?[] Fault { get; } = new string?[rows];

    /// <summary>The element a "null element" fault is at (-1: the whole row).</summary>
    public int[] FaultIndex { get; } = Enumerable.Repeat(-1, rows).ToArray();

    public ReadOnlySpan<T> Row(int row) => Values.AsSpan(Start[row], Count[row]);
}
