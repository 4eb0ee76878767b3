using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Models.Persistence;

/// <summary>
/// Per-item neighbour lists in CSR layout (item-kNN, sequence neighbours): a 32-byte header ("RSYSNBR\0", version 1,
/// items and entries as int64 at 16 and 24), then items + 1 little-endian int64 entry offsets (item i's neighbours are
/// entries [offsets[i], offsets[i + 1])), the entries' int32 item ordinals, and their float32 similarities, each list
/// most similar first. 8 bytes per kept neighbour and nothing for slots a list does not fill: a long-tail catalog's
/// items mostly have short lists. Written through Core's <see cref="DurableFile"/>.
/// </summary>
public static class NeighborListFile
{
    private const int HeaderSize = 32;

    private static readonly BinaryFileFormat Format = new("RecSys neighbour list file", "RSYSNBR\0"u8, version: 1, headerSize: HeaderSize);

    /// <summary>Writes lists given as CSR arrays: <paramref name="start"/> has items + 1 entries, from 0 to the entry count.</summary>
    public static void Write(string path, ReadOnlySpan<int> start, ReadOnlySpan<int> items, ReadOnlySpan<float> similarities)
    {
        if (start.IsEmpty || start[0] != 0 || start[^1] != items.Length || items.Length != similarities.Length)
            throw new ArgumentException($"CSR arrays do not match: {start.Length} offsets ending at {(start.IsEmpty ? 0 : start[^1])}, {items.Length} items, {similarities.Length} similarities");
        Span<byte> header = stackalloc byte[HeaderSize];
        Format.WriteHeader(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], start.Length - 1);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], items.Length);
        using var file = DurableFile.Create(path);
        file.Stream.Write(header);
        var offsets = new long[start.Length];
        for (int i = 0; i < offsets.Length; i++)
            offsets[i] = start[i];
        file.Stream.Write(MemoryMarshal.AsBytes(offsets.AsSpan()));
        file.Stream.Write(MemoryMarshal.AsBytes(items));
        file.Stream.Write(MemoryMarshal.AsBytes(similarities));
        file.Commit();
    }

    /// <summary>
    /// Reads the lists of <paramref name="itemCount"/> items; every offset, neighbour and similarity is checked (errors
    /// name the file, the item and the slot): offsets from 0 to the entry count and never backwards, neighbours inside
    /// the catalog and never the item itself, similarities finite.
    /// </summary>
    public static (int[] Start, int[] Items, float[] Similarities) Read(string path, int itemCount)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        using var fs = Format.OpenRead(path, header);
        long n = BinaryPrimitives.ReadInt64LittleEndian(header[16..]), entries = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        if (n != itemCount)
            throw new InvalidDataException($"{path}: holds lists for {n} items, the manifest says {itemCount}");
        if (entries < 0 || entries > Array.MaxLength)
            throw new InvalidDataException($"{path}: invalid entry count {entries}");
        Format.RequireLength(path, fs.Length, HeaderSize + (n + 1) * sizeof(long) + entries * (sizeof(int) + sizeof(float)), $"{n + 1} offsets and {entries} entries");
        var offsets = new long[n + 1];
        var items = new int[entries];
        var similarities = new float[entries];
        fs.ReadExactly(MemoryMarshal.AsBytes(offsets.AsSpan()));
        fs.ReadExactly(MemoryMarshal.AsBytes(items.AsSpan()));
        fs.ReadExactly(MemoryMarshal.AsBytes(similarities.AsSpan()));
        if (offsets[0] != 0 || offsets[n] != entries)
            throw new InvalidDataException($"{path}: offsets run from {offsets[0]} to {offsets[n]}, but the file holds {entries} entries");
        var start = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            long from = offsets[i], to = offsets[i + 1];
            if (to < from || to > entries)
                throw new InvalidDataException($"{path}: item {i}'s entries [{from}, {to}) run backwards or past the {entries} entries");
            start[i + 1] = (int)to;
            for (long e = from; e < to; e++)
            {
                int id = items[e], slot = (int)(e - from);
                if ((uint)id >= (uint)n || id == i)
                    throw new InvalidDataException($"{path}: item {i}, slot {slot}: neighbour {id} is {(id == i ? "the item itself" : $"outside the {n} items")}");
                if (!float.IsFinite(similarities[e]))
                    throw new InvalidDataException($"{path}: item {i}, slot {slot}: similarity {similarities[e]} is not finite");
            }
        }
        return (start, items, similarities);
    }
}
