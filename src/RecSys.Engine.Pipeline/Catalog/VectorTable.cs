using RecSys.Engine.Pipeline.Collections;

namespace RecSys.Engine.Pipeline.Catalog;

/// <summary>
/// Item vectors by catalog ordinal (content vectors: the trained ones, then one per item added live), growable
/// while requests read it. A row that was never set, or was set to zeros, reads as empty: the item has no vector.
/// Rows are written whole before the row is marked present, so a reader never sees half a row as present.
/// </summary>
public sealed class VectorTable
{
    private readonly ChunkedArray<float[]?> _rows = new();
    private readonly object _writeLock = new();
    private int _length;

    public VectorTable(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Dimension = dimension;
    }

    public int Dimension { get; }

    /// <summary>One past the highest ordinal ever set.</summary>
    public int Length => Volatile.Read(ref _length);

    /// <summary>The row of <paramref name="ordinal"/>, or empty when it has none.</summary>
    public ReadOnlySpan<float> Row(int ordinal) =>
        (uint)ordinal < (uint)Length && _rows[ordinal] is { } row ? row : default;

    public bool HasRow(int ordinal) => !Row(ordinal).IsEmpty;

    /// <summary>Sets (or clears, with an all-zero or empty row) the vector of <paramref name="ordinal"/>.</summary>
    public void Set(int ordinal, ReadOnlySpan<float> row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
        if (!row.IsEmpty && row.Length != Dimension)
            throw new ArgumentException($"row has {row.Length} values, the table {Dimension}", nameof(row));
        float[]? copy = row.IsEmpty || !row.ContainsAnyExcept(0f) ? null : row.ToArray();
        lock (_writeLock)
        {
            _rows.EnsureLength(ordinal + 1);
            Volatile.Write(ref _rows[ordinal], copy);
            if (ordinal >= _length)
                Volatile.Write(ref _length, ordinal + 1);
        }
    }

    /// <summary>
    /// Every row by ordinal (null: none), as references: a row is never written in place (<see cref="Set"/> puts in a
    /// new array), so the copy keeps the rows of this moment while later sets go on, at the cost of one pointer a row.
    /// </summary>
    public float[]?[] CopyRows()
    {
        lock (_writeLock)
        {
            var rows = new float[]?[_length];
            _rows.CopyTo(rows);
            return rows;
        }
    }

    /// <summary>Rows [0, rows.Length / Dimension) of a trained model's row-major table.</summary>
    public void SetRows(ReadOnlySpan<float> rows)
    {
        int n = rows.Length / Dimension;
        for (int i = 0; i < n; i++)
            Set(i, rows.Slice(i * Dimension, Dimension));
    }
}
