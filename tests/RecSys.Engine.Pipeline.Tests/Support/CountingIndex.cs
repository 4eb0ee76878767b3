using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Pipeline.Tests.Support;

/// <summary>A real index that counts the searches made of it (disposing it disposes the index).</summary>
public sealed class CountingIndex(IVectorIndex inner) : IVectorIndex
{
    private int _searches;

    public int Searches => Volatile.Read(ref _searches);

    public string Kind => inner.Kind;

    public int Dimension => inner.Dimension;

    public DistanceMetric Metric => inner.Metric;

    public long Count => inner.Count;

    public long MemoryBytes => inner.MemoryBytes;

    public void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors) => inner.Add(ids, vectors);

    public void Search(ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> distances, SearchParameters? parameters = null)
    {
        Interlocked.Increment(ref _searches);
        inner.Search(queries, k, ids, distances, parameters);
    }

    public int Remove(ReadOnlySpan<long> ids) => inner.Remove(ids);

    public void Save(string directory) => inner.Save(directory);

    public void Dispose() => inner.Dispose();
}
