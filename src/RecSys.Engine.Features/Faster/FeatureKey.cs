using System.Buffers.Binary;

namespace RecSys.Engine.Features.Faster;

/// <summary>KV key layout: kind(1) id(i64) segment(i32) = 13 bytes; segment is 0 except for item x segment counters.</summary>
internal static class FeatureKey
{
    public const int Length = 13;

    public static void Write(Span<byte> destination, RecordKind kind, long id, int segment = 0)
    {
        destination[0] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(destination[1..], id);
        BinaryPrimitives.WriteInt32LittleEndian(destination[9..], segment);
    }
}
