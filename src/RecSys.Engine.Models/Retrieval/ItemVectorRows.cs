using RecSys.Engine.Core.Index;

namespace RecSys.Engine.Models.Retrieval;

/// <summary>
/// Puts a model's item vectors (ALS item factors, content vectors: row-major, one row per catalog ordinal) into a
/// vector index with the ordinal as the id, the id space every index of the serving path uses.
/// </summary>
public static class ItemVectorRows
{
    private const int BatchRows = 4096;

    /// <summary>
    /// Adds rows [0, rows.Length / dimension) as ordinals <paramref name="firstOrdinal"/> on; all-zero rows (items a
    /// model knows nothing about: no events, no metadata) are left out, they have no direction to retrieve by.
    /// Returns how many rows were added.
    /// </summary>
    public static int AddTo(IVectorIndex index, ReadOnlySpan<float> rows, int dimension, int firstOrdinal = 0)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (dimension != index.Dimension)
            throw new ArgumentException($"rows of dimension {dimension} do not fit an index of dimension {index.Dimension}", nameof(dimension));
        if (rows.Length % dimension != 0)
            throw new ArgumentException($"{rows.Length} floats are not whole rows of {dimension}", nameof(rows));
        int count = rows.Length / dimension, added = 0;
        var ids = new long[Math.Min(BatchRows, Math.Max(count, 1))];
        var batch = new float[ids.Length * dimension];
        int n = 0;
        for (int r = 0; r < count; r++)
        {
            ReadOnlySpan<float> row = rows.Slice(r * dimension, dimension);
            if (!row.ContainsAnyExcept(0f))
                continue;
            row.CopyTo(batch.AsSpan(n * dimension, dimension));
            ids[n++] = firstOrdinal + r;
            if (n == ids.Length)
            {
                index.Add(ids, batch);
                added += n;
                n = 0;
            }
        }
        if (n > 0)
        {
            index.Add(ids.AsSpan(0, n), batch.AsSpan(0, n * dimension));
            added += n;
        }
        return added;
    }
}
