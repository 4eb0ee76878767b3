using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.Codecs;

/// <summary>
/// Layout v1: version(1) flags(1: bit0 deleted, bit1 titled) policy(u32) published(i64) categories(varint n + n x i32)
/// tags(varint n + n x (varint len + utf8)) [title(varint len + utf8), when titled].
/// The title came later, behind a flag rather than a new version: every record written before reads as it did (no
/// title), and a build from before it refuses a titled record by its unknown flag bit instead of misreading it.
/// </summary>
public static class ItemMetadataCodec
{
    public const byte Version = 1;
    private const string Kind = "item metadata";
    private const byte DeletedFlag = 1;
    private const byte TitledFlag = 2;

    public static int GetLength(ItemMetadata m)
    {
        int n = 1 + 1 + 4 + 8 + SpanWriter.VarUIntLength((uint)m.Categories.Length) + 4 * m.Categories.Length +
                SpanWriter.VarUIntLength((uint)m.Tags.Length);
        foreach (string t in m.Tags) n += SpanWriter.StringLength(t);
        if (m.Title.Length > 0) n += SpanWriter.StringLength(m.Title);
        return n;
    }

    public static byte[] Encode(ItemMetadata m)
    {
        var bytes = new byte[GetLength(m)];
        Write(m, bytes);
        return bytes;
    }

    public static int Write(ItemMetadata m, Span<byte> destination)
    {
        var w = new SpanWriter(destination);
        w.WriteByte(Version);
        w.WriteByte((byte)((m.Deleted ? DeletedFlag : 0) | (m.Title.Length > 0 ? TitledFlag : 0)));
        w.WriteUInt32((uint)m.PolicyFlags);
        w.WriteInt64(m.PublishedAtMs);
        w.WriteVarUInt((uint)m.Categories.Length);
        foreach (int c in m.Categories) w.WriteInt32(c);
        w.WriteVarUInt((uint)m.Tags.Length);
        foreach (string t in m.Tags) w.WriteString(t);
        if (m.Title.Length > 0) w.WriteString(m.Title);
        return w.Position;
    }

    public static ItemMetadata Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new SpanReader(bytes, Kind);
        r.ExpectVersion(Version);
        byte flags = r.ReadByte();
        if ((flags & ~(DeletedFlag | TitledFlag)) != 0) throw new FeatureFormatException($"{Kind} record has unknown flag bits 0x{flags:x2}: a newer build wrote it (open the store with that build), or it is damaged");
        var policy = (ItemPolicyFlags)r.ReadUInt32();
        long published = r.ReadInt64();
        int nCats = r.ReadCount(4);
        int[] cats = nCats == 0 ? [] : new int[nCats];
        for (int i = 0; i < cats.Length; i++) cats[i] = r.ReadInt32();
        int nTags = r.ReadCount(1);
        string[] tags = nTags == 0 ? [] : new string[nTags];
        // Tags are a small vocabulary: shared instances instead of a new string per tag per read.
        for (int i = 0; i < tags.Length; i++) tags[i] = r.ReadSharedString();
        string title = (flags & TitledFlag) != 0 ? r.ReadString() : "";
        if ((flags & TitledFlag) != 0 && title.Length == 0) throw new FeatureFormatException($"{Kind} record is flagged titled but its title is empty");
        r.ExpectEnd();
        return new ItemMetadata
        {
            Deleted = (flags & DeletedFlag) != 0, PolicyFlags = policy, PublishedAtMs = published, Categories = cats, Tags = tags, Title = title,
        };
    }

    /// <summary>The same record with the deleted bit set, without decoding the rest (the tombstone path).</summary>
    public static byte[] WithDeleted(ReadOnlySpan<byte> bytes)
    {
        var r = new SpanReader(bytes, Kind);
        r.ExpectVersion(Version);
        r.ReadByte();
        var copy = bytes.ToArray();
        copy[1] |= DeletedFlag;
        return copy;
    }
}
