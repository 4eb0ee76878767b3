using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Vectors.Storage;
using RecSys.Engine.Pipeline.Sources;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// Bulk-loaded item embeddings of a model version (an item tower's output, vectors from outside): the rows,
/// memory-mapped from the version's vector file in load order, and the index built over them, whose ids are catalog
/// ordinals as in every serving index. <see cref="Row"/> finds an item's row through an ordinal -> row table, so the
/// item page's similar-items source can seed a search with it. Disposing unmaps the rows (the index is the version's
/// to dispose).
/// </summary>
public sealed class EmbeddingSet : IItemVectors, IDisposable
{
    private readonly MappedVectorFile _rows;
    private readonly int[] _rowOfOrdinal;

    /// <param name="ordinals">The catalog ordinal of each row of <paramref name="rows"/>.</param>
    public EmbeddingSet(string name, MappedVectorFile rows, ReadOnlySpan<int> ordinals, IVectorIndex index)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(index);
        if (ordinals.Length != rows.Count)
            throw new ArgumentException($"{ordinals.Length} ordinals for {rows.Count} rows of {rows.Path}", nameof(ordinals));
        if (index.Dimension != rows.Dimension)
            throw new ArgumentException($"the index has dimension {index.Dimension}, the rows of {rows.Path} {rows.Dimension}", nameof(index));
        int length = 0;
        foreach (int o in ordinals)
            length = Math.Max(length, o + 1);
        _rowOfOrdinal = new int[length];
        _rowOfOrdinal.AsSpan().Fill(-1);
        for (int r = 0; r < ordinals.Length; r++)
        {
            if (ordinals[r] < 0)
                throw new ArgumentOutOfRangeException(nameof(ordinals), ordinals[r], $"row {r}: ordinals must not be negative");
            if (_rowOfOrdinal[ordinals[r]] >= 0)
                throw new ArgumentException($"row {r}: ordinal {ordinals[r]} already has row {_rowOfOrdinal[ordinals[r]]}", nameof(ordinals));
            _rowOfOrdinal[ordinals[r]] = r;
        }
        Name = name;
        _rows = rows;
        Index = index;
    }

    public string Name { get; }

    /// <summary>The rows' index; ids are catalog ordinals.</summary>
    public IVectorIndex Index { get; }

    public int Dimension => _rows.Dimension;

    /// <summary>Items with a row.</summary>
    public long Count => _rows.Count;

    /// <summary>The item's embedding, or empty when it has none.</summary>
    public ReadOnlySpan<float> Row(int ordinal) =>
        (uint)ordinal < (uint)_rowOfOrdinal.Length && _rowOfOrdinal[ordinal] is int row and >= 0 ? _rows.GetRow(row) : default;

    public void Dispose() => _rows.Dispose();
}
