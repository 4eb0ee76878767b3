using System.Buffers.Binary;

namespace RecSys.Engine.Features.Faster;

/// <summary>
/// Envelope around every KV value: lsn(i64) state(1) payload. The LSN is the write-ahead-log address of the
/// last entry applied to this key; replay skips entries at or below it, which makes replay idempotent.
/// A tombstone (state 1) keeps the LSN of a delete so an older upsert cannot resurrect the key on replay.
/// </summary>
internal static class StoredValue
{
    public const int HeaderLength = 9;
    public const byte Live = 0;
    public const byte Tombstone = 1;

    public static byte[] Create(long lsn, byte state, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[HeaderLength + payload.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, lsn);
        bytes[8] = state;
        payload.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    public static long Lsn(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64LittleEndian(value);

    public static bool IsLive(ReadOnlySpan<byte> value) => value[8] == Live;

    public static ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> value) => value[HeaderLength..];
}
