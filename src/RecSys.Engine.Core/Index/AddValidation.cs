using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Index;

/// <summary>
/// The checks every index runs on an Add batch before it changes anything, so a bad row never leaves half a
/// batch in an index, and every index words the same mistake the same way (the row, the id, the value).
/// </summary>
internal static class AddValidation
{
    /// <summary>Rejects ids already in <paramref name="existing"/> or repeated in the batch, and bad rows.</summary>
    public static void ValidateBatch<TValue>(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, int dimension, DistanceMetric metric, Dictionary<long, TValue> existing)
    {
        HashSet<long>? batch = ids.Length > 1 ? new HashSet<long>(ids.Length) : null;
        for (int r = 0; r < ids.Length; r++)
        {
            long id = ids[r];
            if (existing.ContainsKey(id) || (batch is not null && !batch.Add(id)))
                throw new ArgumentException($"row {r}: id {id} is already in the index", nameof(ids));
            ValidateRow(vectors.Slice(r * dimension, dimension), r, id, metric, nameof(vectors));
        }
    }

    /// <summary>A row must be finite, and not all zero under cosine (it has no direction to normalise).</summary>
    public static void ValidateRow(ReadOnlySpan<float> row, int r, long id, DistanceMetric metric, string paramName)
    {
        for (int i = 0; i < row.Length; i++)
        {
            if (!float.IsFinite(row[i]))
                throw new ArgumentException($"row {r} (id {id}): value {i} is {row[i]}; vectors must be finite", paramName);
        }
        if (metric == DistanceMetric.Cosine && !row.ContainsAnyExcept(0f))
            throw new ArgumentException($"row {r} (id {id}): an all-zero vector has no cosine direction", paramName);
    }
}
