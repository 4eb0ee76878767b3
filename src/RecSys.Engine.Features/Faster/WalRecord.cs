using System.Buffers.Binary;
using RecSys.Engine.Features.Codecs;
using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.Faster;

/// <summary>
/// One write-ahead log entry. Layout v1: version(1) op(1) id(i64) then, by op: the record's codec bytes
/// (upserts), the event fields (Event: item i64, type 1, value f32, timestamp i64, segment i32), or nothing (deletes).
/// </summary>
internal readonly ref struct WalRecord
{
    public const byte Version = 1;
    private const int HeaderLength = 10;
    private const int EventLength = 8 + 1 + 4 + 8 + 4;

    public WalOp Op { get; }
    public long Id { get; }
    public ReadOnlySpan<byte> Body { get; }

    private WalRecord(WalOp op, long id, ReadOnlySpan<byte> body) { Op = op; Id = id; Body = body; }

    public static byte[] Encode(WalOp op, long id, ReadOnlySpan<byte> body)
    {
        var bytes = new byte[HeaderLength + body.Length];
        bytes[0] = Version;
        bytes[1] = (byte)op;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(2), id);
        body.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    public static byte[] EncodeEvent(in UserEvent e)
    {
        Span<byte> body = stackalloc byte[EventLength];
        BinaryPrimitives.WriteInt64LittleEndian(body, e.ItemId);
        body[8] = (byte)e.Type;
        BinaryPrimitives.WriteSingleLittleEndian(body[9..], e.Value);
        BinaryPrimitives.WriteInt64LittleEndian(body[13..], e.TimestampMs);
        BinaryPrimitives.WriteInt32LittleEndian(body[21..], e.Segment);
        return Encode(WalOp.Event, e.UserId, body);
    }

    public static WalRecord Decode(ReadOnlySpan<byte> entry, long address)
    {
        if (entry.Length < HeaderLength)
            throw new FeatureFormatException($"write-ahead log entry at address {address} is {entry.Length} bytes, shorter than its header");
        if (entry[0] != Version)
            throw new FeatureFormatException($"write-ahead log entry at address {address} has format version {entry[0]}; this build reads version {Version}");
        var op = (WalOp)entry[1];
        if (op is < WalOp.UpsertProfile or > WalOp.DeleteUser)
            throw new FeatureFormatException($"write-ahead log entry at address {address} has unknown operation {entry[1]}");
        var record = new WalRecord(op, BinaryPrimitives.ReadInt64LittleEndian(entry[2..]), entry[HeaderLength..]);
        if (op == WalOp.Event && record.Body.Length != EventLength)
            throw new FeatureFormatException($"write-ahead log event at address {address} has {record.Body.Length} body bytes, expected {EventLength}");
        return record;
    }

    public UserEvent ToEvent() => new(
        Id,
        BinaryPrimitives.ReadInt64LittleEndian(Body),
        (EventType)Body[8],
        BinaryPrimitives.ReadSingleLittleEndian(Body[9..]),
        BinaryPrimitives.ReadInt64LittleEndian(Body[13..]),
        BinaryPrimitives.ReadInt32LittleEndian(Body[21..]));
}
