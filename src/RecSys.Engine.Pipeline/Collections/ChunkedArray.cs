namespace RecSys.Engine.Pipeline.Collections;

/// <summary>
/// A growable array whose elements never move: fixed-size chunks behind a chunk table that is replaced (never
/// mutated in place) when it grows. A reader holding a ref to an element (an impression counter being
/// incremented) keeps writing to the one live copy while a writer appends; growth is serialised by the owner.
/// Elements past the grown length read as default.
/// </summary>
internal sealed class ChunkedArray<T>
{
    private const int ChunkShift = 12;
    private const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;

    private T[][] _chunks = [];

    /// <summary>Elements addressable without growing.</summary>
    public int Capacity => Volatile.Read(ref _chunks).Length << ChunkShift;

    public ref T this[int index] => ref Volatile.Read(ref _chunks)[index >> ChunkShift][index & ChunkMask];

    /// <summary>
    /// Copies elements [0, destination.Length) a chunk at a time (block copies, not one element at a time: a
    /// snapshot copies a whole catalog's worth while writes wait). The caller holds off writers; readers may go on.
    /// </summary>
    public void CopyTo(Span<T> destination)
    {
        var chunks = Volatile.Read(ref _chunks);
        for (int start = 0; start < destination.Length; start += ChunkSize)
            chunks[start >> ChunkShift].AsSpan(0, Math.Min(ChunkSize, destination.Length - start)).CopyTo(destination[start..]);
    }

    /// <summary>Makes [0, length) addressable. Callers serialise growth.</summary>
    public void EnsureLength(int length)
    {
        var chunks = _chunks;
        int need = (int)(((long)length + ChunkMask) >> ChunkShift);
        if (need <= chunks.Length)
            return;
        var grown = new T[need][];
        chunks.AsSpan().CopyTo(grown);
        for (int c = chunks.Length; c < need; c++)
            grown[c] = new T[ChunkSize];
        Volatile.Write(ref _chunks, grown);
    }
}
