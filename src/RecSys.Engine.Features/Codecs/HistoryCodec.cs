using System.Buffers.Binary;
using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.Codecs;

/// <summary>
/// A user's bounded history, oldest first on disk. Layout v1: version(1) count(varint) then per event
/// item(i64) type(1) value(f32) timestamp(i64) = 21 bytes each.
/// </summary>
public static class HistoryCodec
{
    public const byte Version = 1;
    public const int EventBytes = 21;
    private const string Kind = "user history";

    public static int GetLength(int count) => 1 + SpanWriter.VarUIntLength((uint)count) + EventBytes * count;

    public static byte[] Encode(ReadOnlySpan<HistoryEvent> oldestFirst)
    {
        var bytes = new byte[GetLength(oldestFirst.Length)];
        var w = new SpanWriter(bytes);
        w.WriteByte(Version);
        w.WriteVarUInt((uint)oldestFirst.Length);
        foreach (var e in oldestFirst)
        {
            w.WriteInt64(e.ItemId);
            w.WriteByte((byte)e.Type);
            w.WriteSingle(e.Value);
            w.WriteInt64(e.TimestampMs);
        }
        return bytes;
    }

    /// <summary>Decodes all events, oldest first.</summary>
    public static HistoryEvent[] Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new SpanReader(bytes, Kind);
        r.ExpectVersion(Version);
        var events = new HistoryEvent[r.ReadCount(EventBytes)];
        for (int i = 0; i < events.Length; i++)
            events[i] = new HistoryEvent(r.ReadInt64(), (EventType)r.ReadByte(), r.ReadSingle(), r.ReadInt64());
        r.ExpectEnd();
        return events;
    }

    /// <summary>
    /// The newest <paramref name="max"/> events, newest first (the order the pipeline consumes), decoded straight from the
    /// record: one array of the events returned, not the whole record oldest first and then a reversed copy. A request
    /// reads every event of a user whose client logs impressions on several surfaces (200 interactions and 200 per
    /// surface), so the copy it saves grows with them. The record is checked as <see cref="Decode"/> checks it.
    /// </summary>
    public static HistoryEvent[] DecodeNewestFirst(ReadOnlySpan<byte> bytes, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        var r = new SpanReader(bytes, Kind);
        r.ExpectVersion(Version);
        int count = r.ReadCount(EventBytes);
        var body = r.ReadBytes(count * EventBytes);
        r.ExpectEnd();
        var events = new HistoryEvent[Math.Min(max, count)];
        for (int i = 0; i < events.Length; i++)
        {
            var e = body.Slice((count - 1 - i) * EventBytes, EventBytes);
            events[i] = new HistoryEvent(BinaryPrimitives.ReadInt64LittleEndian(e), (EventType)e[8],
                BinaryPrimitives.ReadSingleLittleEndian(e[9..]), BinaryPrimitives.ReadInt64LittleEndian(e[13..]));
        }
        return events;
    }

    /// <summary>
    /// Inserts <paramref name="e"/> in timestamp order (after equal timestamps, so arrival order breaks ties), then
    /// keeps the newest <paramref name="capacity"/> interactions (every type but impressions) and, apart from them, the
    /// newest <paramref name="impressionCapacity"/> impressions of each surface (an impression's value is its surface's
    /// code; see <see cref="MaxImpressionSurfaces"/>). They are bounded apart so that a client logging every page it showed (10 impressions a page) cannot push
    /// the user's interactions out (the seen filter, the request's seeds and fold-in read them), nor the home page's
    /// impressions another surface's (email's already-sent filter). A record written under larger limits is trimmed.
    /// </summary>
    public static HistoryEvent[] Insert(HistoryEvent[] oldestFirst, HistoryEvent e, int capacity, int impressionCapacity) =>
        Insert(oldestFirst, e, capacity, impressionCapacity, null);

    /// <summary>As the overload above; the items of interactions it drops are added to <paramref name="droppedInteractions"/>.</summary>
    public static HistoryEvent[] Insert(HistoryEvent[] oldestFirst, HistoryEvent e, int capacity, int impressionCapacity, List<long>? droppedInteractions)
    {
        int at = oldestFirst.Length;
        while (at > 0 && oldestFirst[at - 1].TimestampMs > e.TimestampMs) at--;
        var merged = new HistoryEvent[oldestFirst.Length + 1];
        oldestFirst.AsSpan(0, at).CopyTo(merged);
        merged[at] = e;
        oldestFirst.AsSpan(at).CopyTo(merged.AsSpan(at + 1));
        return Trim(merged, capacity, impressionCapacity, droppedInteractions);
    }

    /// <summary>
    /// Impressions are kept for at most this many surface codes (those seen most recently), so a record stays bounded
    /// whatever values it is given. The pipeline allows one fewer surfaces (0 is "no surface") and stores an impression
    /// whose value names no surface as 0, so every surface keeps its own.
    /// </summary>
    public const int MaxImpressionSurfaces = 16;

    /// <summary>
    /// The newest <paramref name="capacity"/> interactions and the newest <paramref name="impressionCapacity"/> impressions
    /// of each of the <see cref="MaxImpressionSurfaces"/> most recent surface codes, oldest first; the items of the
    /// interactions dropped are added to <paramref name="droppedInteractions"/>.
    /// </summary>
    public static HistoryEvent[] Trim(HistoryEvent[] oldestFirst, int capacity, int impressionCapacity, List<long>? droppedInteractions = null)
    {
        int interactions = 0, dropped = 0, codes = 0;
        Span<float> code = stackalloc float[MaxImpressionSurfaces];
        Span<int> count = stackalloc int[MaxImpressionSurfaces];
        var keep = oldestFirst.Length <= 1024 ? stackalloc bool[oldestFirst.Length] : new bool[oldestFirst.Length];
        // Newest to oldest: an event is kept while its kind is under its limit.
        for (int i = oldestFirst.Length - 1; i >= 0; i--)
        {
            var e = oldestFirst[i];
            if (e.Type != EventType.Impression)
            {
                keep[i] = interactions < capacity;
                if (keep[i]) interactions++;
                else droppedInteractions?.Add(e.ItemId);
            }
            else
            {
                int c = code[..codes].IndexOf(e.Value);
                if (c < 0 && codes < MaxImpressionSurfaces)
                {
                    c = codes++;
                    code[c] = e.Value;
                    count[c] = 0;
                }
                keep[i] = c >= 0 && count[c] < impressionCapacity;
                if (keep[i]) count[c]++;
            }
            if (!keep[i]) dropped++;
        }
        if (dropped == 0)
            return oldestFirst;
        var kept = new HistoryEvent[oldestFirst.Length - dropped];
        for (int i = 0, n = 0; i < oldestFirst.Length; i++)
        {
            if (keep[i]) kept[n++] = oldestFirst[i];
        }
        return kept;
    }
}
