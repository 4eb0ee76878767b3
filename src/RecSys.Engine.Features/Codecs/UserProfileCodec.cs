using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.Codecs;

/// <summary>
/// Layout v1: version(1) age(1) gender(1) segment(i32) created(i64) country(varint len + utf8)
/// categories(varint n + n x i32).
/// </summary>
public static class UserProfileCodec
{
    public const byte Version = 1;
    private const string Kind = "user profile";

    public static int GetLength(UserProfile p) =>
        1 + 1 + 1 + 4 + 8 + SpanWriter.StringLength(p.Country) +
        SpanWriter.VarUIntLength((uint)p.OnboardingCategories.Length) + 4 * p.OnboardingCategories.Length;

    public static byte[] Encode(UserProfile p)
    {
        var bytes = new byte[GetLength(p)];
        Write(p, bytes);
        return bytes;
    }

    public static int Write(UserProfile p, Span<byte> destination)
    {
        var w = new SpanWriter(destination);
        w.WriteByte(Version);
        w.WriteByte(p.AgeBucket);
        w.WriteByte(p.Gender);
        w.WriteInt32(p.Segment);
        w.WriteInt64(p.CreatedAtMs);
        w.WriteString(p.Country);
        w.WriteVarUInt((uint)p.OnboardingCategories.Length);
        foreach (int c in p.OnboardingCategories) w.WriteInt32(c);
        return w.Position;
    }

    public static UserProfile Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new SpanReader(bytes, Kind);
        r.ExpectVersion(Version);
        byte age = r.ReadByte();
        byte gender = r.ReadByte();
        int segment = r.ReadInt32();
        long created = r.ReadInt64();
        string country = r.ReadString();
        var cats = new int[r.ReadCount(4)];
        for (int i = 0; i < cats.Length; i++) cats[i] = r.ReadInt32();
        r.ExpectEnd();
        return new UserProfile
        {
            AgeBucket = age, Gender = gender, Segment = segment, CreatedAtMs = created, Country = country,
            OnboardingCategories = cats,
        };
    }
}
