namespace RecSys.Engine.Pipeline.Registry;

/// <summary>What a loaded version holds open (index mappings, embedding rows, the ranker), disposed together, last opened first.</summary>
internal sealed class OwnedResources : IDisposable
{
    private readonly List<IDisposable> _items = [];
    private int _disposed;

    public T Add<T>(T item)
        where T : IDisposable
    {
        _items.Add(item);
        return item;
    }

    /// <summary>Set once everything is disposed (tests and logs read it).</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        for (int i = _items.Count - 1; i >= 0; i--)
            _items[i].Dispose();
    }
}
