using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.Codecs;

/// <summary>Layout v1: version(1) score(f64) lastUpdateMs(i64) = 17 bytes.</summary>
public static class DecayedCounterCodec
{
    public const byte Version = 1;
    public const int Length = 17;
    private const string Kind = "decayed counter";

    public static byte[] Encode(DecayedCounter c)
    {
        var bytes = new byte[Length];
        var w = new SpanWriter(bytes);
        w.WriteByte(Version);
        w.WriteDouble(c.Score);
        w.WriteInt64(c.LastUpdateMs);
        return bytes;
    }

    public static DecayedCounter Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new SpanReader(bytes, Kind);
        r.ExpectVersion(Version);
        var c = new DecayedCounter(r.ReadDouble(), r.ReadInt64());
        r.ExpectEnd();
        return c;
    }
}
