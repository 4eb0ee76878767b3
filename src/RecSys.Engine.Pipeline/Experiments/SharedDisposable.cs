namespace RecSys.Engine.Pipeline.Experiments;

/// <summary>
/// A resource several versions use (a variant's ranker, shared by the versions derived for it after each
/// activation): disposed when the holder and every lease have let go.
/// </summary>
internal sealed class SharedDisposable(IDisposable? resource)
{
    private int _references = 1;

    /// <summary>Another reference, for a version to own (dispose the lease to drop it).</summary>
    public IDisposable Lease()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(nameof(SharedDisposable));
        return new LeaseToken(this);
    }

    /// <summary>Drops the holder's reference.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
            resource?.Dispose();
    }

    private sealed class LeaseToken(SharedDisposable shared) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                shared.Release();
        }
    }
}
