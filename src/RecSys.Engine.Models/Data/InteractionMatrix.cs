namespace RecSys.Engine.Models.Data;

/// <summary>
/// A compressed sparse row matrix of interactions (rows = users, columns = items, or the transpose).
/// Duplicate (row, column) events are merged by summing their values; columns are sorted in each row.
/// </summary>
public sealed class InteractionMatrix
{
    private InteractionMatrix(int rows, int columns, int[] rowStart, int[] columnIndex, float[] values)
    {
        RowCount = rows;
        ColumnCount = columns;
        RowStart = rowStart;
        ColumnIndex = columnIndex;
        Values = values;
    }

    public int RowCount { get; }

    public int ColumnCount { get; }

    /// <summary>RowCount + 1 offsets into <see cref="ColumnIndex"/> / <see cref="Values"/>.</summary>
    public int[] RowStart { get; }

    public int[] ColumnIndex { get; }

    public float[] Values { get; }

    public int NonZeroCount => ColumnIndex.Length;

    public ReadOnlySpan<int> Columns(int row) => ColumnIndex.AsSpan(RowStart[row], RowStart[row + 1] - RowStart[row]);

    public ReadOnlySpan<float> RowValues(int row) => Values.AsSpan(RowStart[row], RowStart[row + 1] - RowStart[row]);

    public int RowLength(int row) => RowStart[row + 1] - RowStart[row];

    /// <summary>
    /// Users x items from <paramref name="set"/>. With <paramref name="binary"/> every stored value is 1
    /// (every rating a positive interaction); otherwise duplicate events add up.
    /// </summary>
    public static InteractionMatrix FromSet(InteractionSet set, bool binary) =>
        FromTriples(set.UserCount, set.ItemCount, set.UserOrdinals, set.ItemOrdinals, set.Values, binary);

    public static InteractionMatrix FromTriples(int rows, int columns, ReadOnlySpan<int> rowOf, ReadOnlySpan<int> columnOf,
        ReadOnlySpan<float> valueOf, bool binary)
    {
        int n = rowOf.Length;
        var counts = new int[rows + 1];
        for (int e = 0; e < n; e++)
        {
            if ((uint)rowOf[e] >= (uint)rows || (uint)columnOf[e] >= (uint)columns)
                throw new ArgumentOutOfRangeException(nameof(rowOf), $"event {e} ({rowOf[e]}, {columnOf[e]}) outside {rows} x {columns}");
            counts[rowOf[e] + 1]++;
        }
        for (int r = 0; r < rows; r++)
            counts[r + 1] += counts[r];
        var cols = new int[n];
        var vals = new float[n];
        var fill = counts.AsSpan(0, rows).ToArray();
        for (int e = 0; e < n; e++)
        {
            int p = fill[rowOf[e]]++;
            cols[p] = columnOf[e];
            vals[p] = binary ? 1f : valueOf[e];
        }

        // Sort each row by column and merge duplicates (in place, then compact).
        var rowStart = new int[rows + 1];
        int write = 0;
        for (int r = 0; r < rows; r++)
        {
            int s = counts[r], end = counts[r + 1];
            Array.Sort(cols, vals, s, end - s);
            rowStart[r] = write;
            for (int p = s; p < end; p++)
            {
                if (write > rowStart[r] && cols[write - 1] == cols[p])
                {
                    vals[write - 1] = binary ? 1f : vals[write - 1] + vals[p];
                    continue;
                }
                cols[write] = cols[p];
                vals[write] = vals[p];
                write++;
            }
        }
        rowStart[rows] = write;
        if (write != n)
        {
            Array.Resize(ref cols, write);
            Array.Resize(ref vals, write);
        }
        return new InteractionMatrix(rows, columns, rowStart, cols, vals);
    }

    public InteractionMatrix Transpose()
    {
        var rowOf = new int[NonZeroCount];
        for (int r = 0; r < RowCount; r++)
            rowOf.AsSpan(RowStart[r], RowLength(r)).Fill(r);
        return FromTriples(ColumnCount, RowCount, ColumnIndex, rowOf, Values, binary: false);
    }

    /// <summary>Whether (row, column) is stored: a binary search in the sorted row.</summary>
    public bool Contains(int row, int column) => Columns(row).BinarySearch(column) >= 0;
}
