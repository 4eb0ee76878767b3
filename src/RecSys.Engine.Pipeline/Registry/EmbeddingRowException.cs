namespace RecSys.Engine.Pipeline.Registry;

/// <summary>A bad row of an embedding import: which row (1-based over the whole stream), which field ("id", "vector", "vector[7]"), and why.</summary>
public sealed class EmbeddingRowException(long row, string field, string reason)
    : ArgumentException($"row {row}, field '{field}': {reason}", field)
{
    public long Row { get; } = row;

    public string Field { get; } = field;

    public string Reason { get; } = reason;
}
