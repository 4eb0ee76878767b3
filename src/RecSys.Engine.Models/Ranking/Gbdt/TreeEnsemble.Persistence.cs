using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Models.Ranking.Gbdt;

public sealed partial class TreeEnsemble
{
    // File layout, little-endian:
    //   0  "RSYSGBT\0"  8  version (int32)  12 feature count  16 tree count  20 node count
    //   24 version 1: reserved (8 bytes, 0); version 2: base feature (int32), base weight (float32)
    //   32 tree starts int32[trees + 1], split features int32[nodes], right children int32[nodes],
    //      decision types byte[nodes], zero padding to 8, thresholds double[nodes], leaf values double[nodes]
    //   then the SHA-256 of everything before it (32 bytes): a flipped bit anywhere is caught before parsing.
    private const int HeaderSize = 32;
    private const int HashSize = 32;
    private static readonly BinaryFileFormat Format = new("tree ensemble file", "RSYSGBT\0"u8, version: 1, HeaderSize);

    // A model with a base margin is written as version 2, so a build that reads only version 1 refuses it rather
    // than scoring without the base; a model without one stays version 1 (files of older builds still load).
    private static readonly BinaryFileFormat FormatWithBase = new("tree ensemble file", "RSYSGBT\0"u8, version: 2, HeaderSize);

    /// <summary>
    /// Writes the model to <paramref name="path"/> through Core's <see cref="DurableFile"/>: a crash leaves either the
    /// old file or the whole new one.
    /// </summary>
    public void Save(string path)
    {
        int nodes = NodeCount;
        long length = BodyLength(TreeCount, nodes) + HashSize;
        var bytes = new byte[length];
        Span<byte> span = bytes;
        (HasBase ? FormatWithBase : Format).WriteHeader(span);
        if (HasBase)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[24..], BaseFeature);
            BinaryPrimitives.WriteSingleLittleEndian(span[28..], BaseWeight);
        }
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], FeatureCount);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], TreeCount);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], nodes);
        int at = HeaderSize;
        at = Put(span, at, MemoryMarshal.AsBytes(_treeStarts.AsSpan()));
        at = Put(span, at, MemoryMarshal.AsBytes(_features.AsSpan()));
        at = Put(span, at, MemoryMarshal.AsBytes(_right.AsSpan()));
        at = Put(span, at, _decisions);
        at = Align8(at);
        at = Put(span, at, MemoryMarshal.AsBytes(_thresholds.AsSpan()));
        at = Put(span, at, MemoryMarshal.AsBytes(_values.AsSpan()));
        SHA256.HashData(span[..at], span[at..]);
        DurableFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Reads a model written by <see cref="Save"/>; a missing, truncated, corrupt or malformed file is an <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) naming the file and the fault.</summary>
    public static TreeEnsemble Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: tree ensemble file not found", path);
        byte[] bytes = File.ReadAllBytes(path);
        ReadOnlySpan<byte> span = bytes;
        bool withBase = span.Length >= 12 && BinaryPrimitives.ReadInt32LittleEndian(span[8..]) == FormatWithBase.Version;
        (withBase ? FormatWithBase : Format).CheckHeader(span, span.Length, path);
        int featureCount = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
        int trees = BinaryPrimitives.ReadInt32LittleEndian(span[16..]);
        int nodes = BinaryPrimitives.ReadInt32LittleEndian(span[20..]);
        if (trees < 1 || nodes < trees)
            throw new InvalidDataException($"{path}: header says {trees} trees and {nodes} nodes");
        Format.RequireLength(path, span.Length, BodyLength(trees, nodes) + HashSize, $"{trees} trees of {nodes} nodes");
        int bodyEnd = span.Length - HashSize;
        Span<byte> hash = stackalloc byte[HashSize];
        SHA256.HashData(span[..bodyEnd], hash);
        if (!hash.SequenceEqual(span[bodyEnd..]))
            throw new InvalidDataException($"{path}: checksum mismatch: the file is corrupt");

        int at = HeaderSize;
        int[] treeStarts = Take<int>(span, ref at, trees + 1);
        int[] features = Take<int>(span, ref at, nodes);
        int[] right = Take<int>(span, ref at, nodes);
        byte[] decisions = Take<byte>(span, ref at, nodes);
        at = Align8(at);
        double[] thresholds = Take<double>(span, ref at, nodes);
        double[] values = Take<double>(span, ref at, nodes);
        var model = new TreeEnsemble(featureCount, treeStarts, features, thresholds, right, decisions, values, path);
        if (!withBase)
            return model;
        int baseFeature = BinaryPrimitives.ReadInt32LittleEndian(span[24..]);
        float baseWeight = BinaryPrimitives.ReadSingleLittleEndian(span[28..]);
        if (baseFeature < 0 || baseFeature >= featureCount || !float.IsFinite(baseWeight))
            throw new InvalidDataException($"{path}: base feature {baseFeature} with weight {baseWeight} (the model has {featureCount} features)");
        return model.WithBase(baseFeature, baseWeight);
    }

    private static long BodyLength(long trees, long nodes) =>
        HeaderSize + Align8(4 * (trees + 1) + 9 * nodes) + 16 * nodes;

    private static int Align8(int offset) => (offset + 7) & ~7;

    private static long Align8(long offset) => (offset + 7) & ~7L;

    private static int Put(Span<byte> destination, int at, ReadOnlySpan<byte> source)
    {
        source.CopyTo(destination[at..]);
        return at + source.Length;
    }

    private static T[] Take<T>(ReadOnlySpan<byte> source, ref int at, int count)
        where T : unmanaged
    {
        var result = new T[count];
        ReadOnlySpan<byte> bytes = source.Slice(at, count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        bytes.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        at += bytes.Length;
        return result;
    }

}
