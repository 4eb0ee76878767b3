namespace RecSys.Engine.Features.Faster;

/// <summary>
/// The store's files on disk are damaged (checkpoint, manifest or write-ahead log). Thrown at open, never
/// swallowed: the message names the file and the recovery path (see the README's "Durability" section).
/// </summary>
public sealed class FeatureStoreCorruptedException : IOException
{
    public FeatureStoreCorruptedException(string message, Exception? inner = null) : base(message, inner) { }
}
