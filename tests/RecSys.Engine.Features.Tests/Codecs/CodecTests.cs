using RecSys.Engine.Features.Codecs;
using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.Tests.Codecs;

/// <summary>Every record codec: round trip, and a clear rejection of unknown versions, truncation and garbage.</summary>
public sealed class CodecTests
{
    private static readonly UserProfile SampleProfile = new()
    {
        AgeBucket = 3, Gender = 1, Country = "日本", Segment = 12, CreatedAtMs = -5, OnboardingCategories = [1, 2, 300_000],
    };

    private static readonly ItemMetadata SampleItem = new()
    {
        Categories = [7], Tags = ["", "a b", new string('x', 300)], Title = "Heron — 日本の鳥", PublishedAtMs = long.MaxValue,
        PolicyFlags = ItemPolicyFlags.Adult | ItemPolicyFlags.Blocked, Deleted = true,
    };

    public static TheoryData<string> Kinds => ["profile", "item", "history", "history-newest-first", "cf", "counter"];

    private static byte[] Encode(string kind) => kind switch
    {
        "profile" => UserProfileCodec.Encode(SampleProfile),
        "item" => ItemMetadataCodec.Encode(SampleItem),
        "history" or "history-newest-first" => HistoryCodec.Encode(new HistoryEvent[] { new(1, EventType.Rating, 4.5f, 10), new(2, EventType.Share, 0, 11) }),
        "cf" => CfVectorCodec.Encode(new float[] { 1.5f, -2, float.Epsilon }),
        _ => DecayedCounterCodec.Encode(new DecayedCounter(3.25, 99)),
    };

    private static void Decode(string kind, byte[] bytes)
    {
        switch (kind)
        {
            case "profile": UserProfileCodec.Decode(bytes); break;
            case "item": ItemMetadataCodec.Decode(bytes); break;
            case "history": HistoryCodec.Decode(bytes); break;
            case "history-newest-first": HistoryCodec.DecodeNewestFirst(bytes, 1); break;
            case "cf": CfVectorCodec.Decode(bytes); break;
            default: DecayedCounterCodec.Decode(bytes); break;
        }
    }

    [Fact]
    public void RoundTrip_AllKinds()
    {
        Assert.Equal(SampleProfile, UserProfileCodec.Decode(UserProfileCodec.Encode(SampleProfile)));
        Assert.Equal(UserProfileCodec.GetLength(SampleProfile), UserProfileCodec.Encode(SampleProfile).Length);
        Assert.Equal(SampleItem, ItemMetadataCodec.Decode(ItemMetadataCodec.Encode(SampleItem)));
        Assert.Equal(new HistoryEvent[] { new(1, EventType.Rating, 4.5f, 10), new(2, EventType.Share, 0, 11) }, HistoryCodec.Decode(Encode("history")));
        Assert.Equal(new float[] { 1.5f, -2, float.Epsilon }, CfVectorCodec.Decode(Encode("cf")));
        Assert.Equal(new DecayedCounter(3.25, 99), DecayedCounterCodec.Decode(Encode("counter")));
        Assert.Empty(HistoryCodec.Decode(HistoryCodec.Encode([])));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void UnknownVersion_IsRejected_NamingBothVersions(string kind)
    {
        var bytes = Encode(kind);
        bytes[0] = 9;
        var e = Assert.Throws<FeatureFormatException>(() => Decode(kind, bytes));
        Assert.Contains("version 9", e.Message);
        Assert.Contains("reads version 1", e.Message);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryTruncation_IsRejected(string kind)
    {
        var bytes = Encode(kind);
        for (int len = 0; len < bytes.Length; len++)
            Assert.Throws<FeatureFormatException>(() => Decode(kind, bytes[..len]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TrailingBytes_AreRejected(string kind)
    {
        var bytes = Encode(kind);
        var e = Assert.Throws<FeatureFormatException>(() => Decode(kind, [.. bytes, 0]));
        Assert.Contains("trailing", e.Message);
    }

    [Fact]
    public void ItemTags_DecodeToTheirOwnText_WhenSharedStringsCollideAndAreEvicted()
    {
        // Tags are decoded through a 4,096-slot shared-string table: 20,000 distinct tags (long, short, non-ASCII,
        // one past the table's length limit) must each come back as written, before and after eviction.
        var items = Enumerable.Range(0, 20_000).Select(i => new ItemMetadata
        {
            Tags = [$"tag{i}", i % 7 == 0 ? $"étiquette-{i}-日本" : $"t{i % 300}", new string('x', 40 + i % 20)],
        }).ToArray();
        var encoded = items.Select(ItemMetadataCodec.Encode).ToArray();
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < items.Length; i++)
                Assert.Equal(items[i], ItemMetadataCodec.Decode(encoded[i]));
    }

    /// <summary>
    /// The title came after the first records were written, behind a flag bit: a record without one is byte for byte the
    /// old layout (flags 0 or 1, nothing after the tags) and reads with an empty title; a titled one sets bit 1.
    /// </summary>
    [Fact]
    public void ItemTitle_IsBehindAFlag_AndARecordWithoutOneIsTheOldLayout()
    {
        var untitled = SampleItem with { Title = "" };
        byte[] old = ItemMetadataCodec.Encode(untitled);
        Assert.Equal(1, old[1]); // deleted, not titled
        Assert.Equal("", ItemMetadataCodec.Decode(old).Title);
        Assert.Equal(untitled, ItemMetadataCodec.Decode(old));
        Assert.NotEqual(SampleItem, untitled);

        byte[] titled = ItemMetadataCodec.Encode(SampleItem);
        Assert.Equal(3, titled[1]);
        Assert.Equal(old.Length + 1 + System.Text.Encoding.UTF8.GetByteCount(SampleItem.Title), titled.Length);
        Assert.Equal(SampleItem.Title, ItemMetadataCodec.Decode(titled).Title);
        // The deleted bit of a tombstone keeps the title.
        Assert.Equal(SampleItem.Title, ItemMetadataCodec.Decode(ItemMetadataCodec.WithDeleted(ItemMetadataCodec.Encode(SampleItem with { Deleted = false }))).Title);

        // Flagged titled with nothing after the tags, or with an empty title: damage, named.
        old[1] = 3;
        Assert.Throws<FeatureFormatException>(() => ItemMetadataCodec.Decode(old));
        var e = Assert.Throws<FeatureFormatException>(() => ItemMetadataCodec.Decode([.. old, 0]));
        Assert.Contains("title", e.Message);
        old[1] = 5;
        var unknown = Assert.Throws<FeatureFormatException>(() => ItemMetadataCodec.Decode(old)).Message;
        Assert.Contains("flag bits 0x05", unknown);
        Assert.Contains("newer build", unknown);
    }

    [Fact]
    public void HugeCount_IsRejected_WithoutAllocating()
    {
        // version, count = 0xFFFFFFF (varint), no events.
        byte[] bytes = [HistoryCodec.Version, 0xFF, 0xFF, 0xFF, 0x7F];
        var e = Assert.Throws<FeatureFormatException>(() => HistoryCodec.Decode(bytes));
        Assert.Contains("claims", e.Message);
    }

    [Fact]
    public void History_Insert_KeepsTimeOrderAndCapacity()
    {
        HistoryEvent[] h = [];
        foreach (long t in new long[] { 5, 1, 3, 3, 9 })
            h = HistoryCodec.Insert(h, new HistoryEvent(t * 10 + h.Length, EventType.View, 0, t), capacity: 4, impressionCapacity: 2);
        Assert.Equal(new long[] { 3, 3, 5, 9 }, h.Select(e => e.TimestampMs));
        // Equal timestamps keep arrival order (the second 3 was inserted after the first).
        Assert.Equal(new long[] { 32, 33 }, h.Take(2).Select(e => e.ItemId));
        Assert.Equal(new long[] { 9, 5 }, HistoryCodec.DecodeNewestFirst(HistoryCodec.Encode(h), 2).Select(e => e.TimestampMs));
    }

    [Fact]
    public void History_DecodeNewestFirst_IsTheReversedDecode_CutAtMax()
    {
        var rng = new Random(5);
        foreach (int count in new[] { 0, 1, 2, 7, 200, 3_400 })
        {
            var events = Enumerable.Range(0, count).Select(i => new HistoryEvent(rng.NextInt64(), (EventType)rng.Next(1, 8), rng.NextSingle() * 10 - 5, rng.NextInt64())).ToArray();
            var bytes = HistoryCodec.Encode(events);
            var reversed = HistoryCodec.Decode(bytes).Reverse().ToArray();
            foreach (int max in new[] { 0, 1, count / 2, count, count + 1, int.MaxValue })
                Assert.Equal(reversed.Take(max), HistoryCodec.DecodeNewestFirst(bytes, max));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => HistoryCodec.DecodeNewestFirst(HistoryCodec.Encode([]), -1));
    }

    [Fact]
    public void History_Insert_BoundsImpressionsApart_SoTheyNeverPushInteractionsOut()
    {
        HistoryEvent[] h = [];
        // 3 views, then 50 impressions newer than all of them, then one view older than the rest.
        for (int t = 0; t < 3; t++)
            h = HistoryCodec.Insert(h, new HistoryEvent(t, EventType.View, 1, t), capacity: 3, impressionCapacity: 4);
        for (int t = 10; t < 60; t++)
            h = HistoryCodec.Insert(h, new HistoryEvent(1000 + t, EventType.Impression, 2, t), capacity: 3, impressionCapacity: 4);
        Assert.Equal(new long[] { 0, 1, 2 }, h.Where(e => e.Type == EventType.View).Select(e => e.ItemId));
        Assert.Equal(new long[] { 56, 57, 58, 59 }, h.Where(e => e.Type == EventType.Impression).Select(e => e.TimestampMs));
        // A fourth interaction drops the oldest interaction, not an impression; one older than every kept one is dropped itself.
        h = HistoryCodec.Insert(h, new HistoryEvent(7, EventType.Click, 1, 57), capacity: 3, impressionCapacity: 4);
        Assert.Equal(new long[] { 1, 2, 7 }, h.Where(e => e.Type != EventType.Impression).Select(e => e.ItemId));
        Assert.Equal(7, h.Length);
        Assert.Equal(h.Select(e => e.TimestampMs).Order(), h.Select(e => e.TimestampMs));
        var unchanged = HistoryCodec.Insert(h, new HistoryEvent(9, EventType.View, 1, -1), capacity: 3, impressionCapacity: 4);
        Assert.Equal(h, unchanged);
        // No impressions kept at all; and a record written under larger limits is trimmed to the new ones.
        Assert.DoesNotContain(HistoryCodec.Insert(h, new HistoryEvent(8, EventType.Impression, 2, 99), 3, 0), e => e.Type == EventType.Impression);
        var trimmed = HistoryCodec.Trim(h, capacity: 1, impressionCapacity: 1);
        Assert.Equal(new long[] { 7, 1059 }, trimmed.Select(e => e.ItemId).Order());
    }

    [Fact]
    public void History_Insert_BoundsEachSurfacesImpressionsApart()
    {
        // Surface 3 (email) sent 2 items long ago; 30 home impressions (surface 1) since must not push them out.
        HistoryEvent[] h = [];
        h = HistoryCodec.Insert(h, new HistoryEvent(70, EventType.Impression, 3, 1), capacity: 5, impressionCapacity: 4);
        h = HistoryCodec.Insert(h, new HistoryEvent(71, EventType.Impression, 3, 2), capacity: 5, impressionCapacity: 4);
        for (int t = 10; t < 40; t++)
            h = HistoryCodec.Insert(h, new HistoryEvent(t, EventType.Impression, 1, t), capacity: 5, impressionCapacity: 4);
        Assert.Equal(new long[] { 70, 71 }, h.Where(e => e.Value == 3).Select(e => e.ItemId));
        Assert.Equal(new long[] { 36, 37, 38, 39 }, h.Where(e => e.Value == 1).Select(e => e.ItemId));
        // Anything in the value (here 40 distinct values, newer than the rest): the record keeps the 16 most recent
        // codes, 4 impressions each, and nothing older; the interactions are untouched.
        h = HistoryCodec.Insert(h, new HistoryEvent(5, EventType.View, 0, 5), capacity: 5, impressionCapacity: 4);
        for (int s = 0; s < 40; s++)
            for (int t = 0; t < 6; t++)
                h = HistoryCodec.Insert(h, new HistoryEvent(1000 * s + t, EventType.Impression, 100 + s, 100 + 10 * s + t), capacity: 5, impressionCapacity: 4);
        Assert.Equal(HistoryCodec.MaxImpressionSurfaces * 4 + 1, h.Length);
        Assert.All(Enumerable.Range(40 - HistoryCodec.MaxImpressionSurfaces, HistoryCodec.MaxImpressionSurfaces), s => Assert.Equal(new long[] { 2, 3, 4, 5 }, h.Where(e => e.Value == 100 + s).Select(e => e.ItemId - 1000 * s)));
        Assert.Single(h, e => e.Type == EventType.View);
    }

    [Fact]
    public void History_Insert_ReportsTheInteractionsItDrops_NotImpressions()
    {
        HistoryEvent[] h = [];
        var dropped = new List<long>();
        for (int t = 0; t < 6; t++)
            h = HistoryCodec.Insert(h, new HistoryEvent(10 + t, EventType.View, 1, t), 3, 2, dropped);
        for (int t = 6; t < 10; t++)
            h = HistoryCodec.Insert(h, new HistoryEvent(50 + t, EventType.Impression, 1, t), 3, 2, dropped);
        Assert.Equal(new long[] { 10, 11, 12 }, dropped);
    }

    [Fact]
    public void SeenSet_RoundTrips_AddsOnlyNewIdsUpToCapacity_AndRefusesDamage()
    {
        long[] empty = [];
        Assert.Empty(SeenSetCodec.Decode(SeenSetCodec.Encode(empty)));
        long[] set = SeenSetCodec.Add(empty, [9, -4, 9, 1L << 40], capacity: 10)!;
        Assert.Equal(new long[] { -4, 9, 1L << 40 }, set);
        Assert.Equal(set, SeenSetCodec.Decode(SeenSetCodec.Encode(set)));
        Assert.Null(SeenSetCodec.Add(set, [9, -4], capacity: 10)); // nothing new: nothing to write
        Assert.Equal(new long[] { -4, 1, 2, 9, 1L << 40 }, SeenSetCodec.Add(set, [2, 1, 3], capacity: 5)); // full at 5: 3 is not kept
        Assert.Null(SeenSetCodec.Add(set, [7], capacity: 3));

        byte[] bytes = SeenSetCodec.Encode(set);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(2), 100); // first id 100, then 9: out of order
        Assert.Contains("ascending", Assert.Throws<FeatureFormatException>(() => SeenSetCodec.Decode(bytes)).Message);
        Assert.Throws<FeatureFormatException>(() => SeenSetCodec.Decode(SeenSetCodec.Encode(set)[..^3]));
    }

    [Fact]
    public void DecayedCounter_MatchesScalarSum_ForAnyArrivalOrder()
    {
        const double h = 1000;
        (double v, long t)[] events = [(1, 0), (2, 1500), (0.5, 700), (4, 3000), (1, 100)];
        var c = default(DecayedCounter);
        foreach (var (v, t) in events) c = c.Add(v, t, h);
        foreach (long now in new long[] { 3000, 5000, 100_000 })
            Assert.Equal(events.Sum(e => e.v * Math.Pow(2, -(now - e.t) / h)), c.ValueAt(now, h), 1e-12);
    }
}
