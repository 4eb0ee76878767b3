using System.Text.Json.Nodes;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Blend;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Persistence;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.Persistence;

/// <summary>
/// Item-kNN, popularity / trending and the blend in a model directory: the loaded model gives the same scores
/// (so the same recommendations) for every user, and damaged or mismatched files fail with the file named.
/// </summary>
public sealed class ModelDirectoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recsys-modeldir-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Planted interactions with demographics (3 age buckets x 2 genders) and timestamps over 60 days.</summary>
    private static TrainingData Data()
    {
        InteractionSet planted = TestData.Planted(users: 80, items: 40, rank: 3, perUser: 8, seed: 12);
        var builder = new InteractionSetBuilder { Demographics = new UserDemographics() };
        foreach (string id in planted.Items.Ids) builder.Items.GetOrAdd(id);
        var rng = new SplitMix64(3);
        for (int u = 0; u < planted.UserCount; u++)
        {
            int ord = builder.Users.GetOrAdd(planted.Users[u]);
            builder.Demographics.Set(ord, 15 + 12 * (u % 3), u % 2 == 0 ? "F" : "M", "other");
        }
        for (int e = 0; e < planted.Count; e++)
            builder.Add(planted.UserOrdinals[e], planted.ItemOrdinals[e], 1, (long)(rng.Next() % (60 * 86400)));
        return new TrainingData(builder.Build());
    }

    private static void AssertSameScores(IRecommender expected, IRecommender actual, int users, int items)
    {
        var a = new float[items];
        var b = new float[items];
        for (int u = 0; u < users; u++)
        {
            expected.Score(u, a);
            actual.Score(u, b);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void SequenceModel_RoundTrips_WindowNeighbourListsAndScores()
    {
        var data = Data();
        var model = new ItemKnn(neighbors: 5, ItemSimilarityKind.Sequence, window: 2);
        model.Fit(data);
        string dir = Path.Combine(_dir, "sequence");
        ModelStore.Save(model, data.Events.Users, data.Events.Items, dir);
        var restored = Assert.IsType<ItemKnn>(ModelStore.Load(dir).Model);
        Assert.Equal((5, 2, ItemSimilarityKind.Sequence, "sequence"), (restored.Neighbors, restored.Window, restored.Similarity, restored.Name));
        for (int i = 0; i < data.ItemCount; i++)
        {
            Assert.Equal(model.NeighborsOf(i).Items.ToArray(), restored.NeighborsOf(i).Items.ToArray());
            Assert.Equal(model.NeighborsOf(i).Similarities.ToArray(), restored.NeighborsOf(i).Similarities.ToArray());
        }
        restored.AttachHistories(data.Matrix);
        AssertSameScores(model, restored, data.UserCount, data.ItemCount);

        // A window below 1 in the manifest is refused, naming it.
        string manifest = Path.Combine(dir, "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"window\": \"2\"", "\"window\": \"0\""));
        Assert.Contains("window must be >= 1", Assert.Throws<InvalidDataException>(() => ModelStore.Load(dir)).Message);
    }

    [Fact]
    public void ItemKnn_RoundTrips_NeighbourListsAndScores()
    {
        var data = Data();
        var knn = new ItemKnn(neighbors: 6, ItemSimilarityKind.Jaccard);
        knn.Fit(data);
        string dir = Path.Combine(_dir, "knn");
        ModelStore.Save(knn, data.Events.Users, data.Events.Items, dir);
        var (loaded, users, items) = ModelStore.Load(dir);
        var restored = Assert.IsType<ItemKnn>(loaded);
        Assert.Null(users);
        Assert.Equal(data.Events.Items.Ids, items.Ids);
        Assert.Equal(6, restored.Neighbors);
        Assert.Equal(ItemSimilarityKind.Jaccard, restored.Similarity);
        for (int i = 0; i < data.ItemCount; i++)
        {
            Assert.Equal(knn.NeighborsOf(i).Items.ToArray(), restored.NeighborsOf(i).Items.ToArray());
            Assert.Equal(knn.NeighborsOf(i).Similarities.ToArray(), restored.NeighborsOf(i).Similarities.ToArray());
        }
        restored.AttachHistories(data.Matrix);
        AssertSameScores(knn, restored, data.UserCount, data.ItemCount);
    }

    [Theory]
    [InlineData(false)] // popularity: undecayed, overall
    [InlineData(true)]  // trending: 10-day half-life, per segment
    public void Popularity_RoundTrips_CountsSegmentsAndOptions(bool trending)
    {
        var data = Data();
        var options = trending ? new PopularityOptions { HalfLifeDays = 10, BySegment = true, SegmentPrior = 5 } : new PopularityOptions();
        var model = new PopularityModel(options, trending ? "trending" : "popularity");
        model.Fit(data);
        string dir = Path.Combine(_dir, model.Name);
        ModelStore.Save(model, data.Events.Users, data.Events.Items, dir);
        var (loaded, users, _) = ModelStore.Load(dir);
        var restored = Assert.IsType<PopularityModel>(loaded);
        Assert.Equal(model.Name, restored.Name);
        Assert.Equal(model.Options, restored.Options);
        Assert.Equal(data.Events.Users.Ids, users!.Ids);
        Assert.Equal(model.SegmentKeys, restored.SegmentKeys);
        Assert.Equal(trending ? 6 : 0, restored.SegmentKeys.Count);
        AssertSameScores(model, restored, data.UserCount, data.ItemCount);
        var a = new float[data.ItemCount];
        var b = new float[data.ItemCount];
        foreach (string? segment in new[] { null, "unknown", UserSegments.Key(20, "F", "other") })
        {
            model.ScoreSegment(segment, a);
            restored.ScoreSegment(segment, b);
            Assert.Equal(a, b);
        }
    }

    /// <summary>A blend of every saveable kind of source (ALS, EASE, item-kNN, trending): every model file format.</summary>
    private static RankFusion FittedBlend(TrainingData data)
    {
        var settings = new ModelSettings
        {
            Als = new AlsOptions { Factors = 4, Iterations = 2 },
            KnnNeighbors = 5,
            BlendWeights = new Dictionary<string, float> { ["als"] = 1f, ["ease"] = 0.5f, ["itemknn"] = 0.25f, ["trending"] = 0.1f },
            BlendDepth = 15,
            BlendC = 7f,
        };
        RankFusion blend = ModelFactory.CreateBlend(settings, null);
        blend.Fit(data);
        return blend;
    }

    [Fact]
    public void Blend_RoundTrips_ConfigAndEverySource()
    {
        var data = Data();
        RankFusion blend = FittedBlend(data);
        string dir = Path.Combine(_dir, "blend");
        ModelStore.Save(blend, data.Events.Users, data.Events.Items, dir);
        var (loaded, users, items) = ModelStore.Load(dir);
        var restored = Assert.IsType<RankFusion>(loaded);
        Assert.Equal(blend.Describe(), restored.Describe());
        Assert.Equal(["trending", "itemknn", "ease", "als"], restored.Sources.Select(s => s.Source.Name)); // the factory's order, kept
        Assert.Equal(data.Events.Users.Ids, users!.Ids);
        Assert.Equal(data.Events.Items.Ids, items.Ids);
        restored.AttachHistories(data.Matrix);
        AssertSameScores(blend, restored, data.UserCount, data.ItemCount);
    }

    [Fact]
    public void ItemKnn_DamagedNeighbourFile_NamesFileItemAndSlot()
    {
        var data = Data();
        var knn = new ItemKnn(neighbors: 4);
        knn.Fit(data);
        string dir = Path.Combine(_dir, "knn-bad");
        ModelStore.SaveItemKnn(knn, data.Events.Items, dir);
        string file = Path.Combine(dir, "neighbors.csr");
        byte[] good = File.ReadAllBytes(file);
        // Layout: 32-byte header, 41 int64 offsets, then int32 neighbours and float32 similarities.
        long Offset(int item) => BitConverter.ToInt64(good, 32 + 8 * item);
        int idsAt = 32 + 8 * 41;

        byte[] bad = (byte[])good.Clone();
        BitConverter.GetBytes(40).CopyTo(bad, idsAt + 4 * (int)(Offset(3) + 1)); // item 3, slot 1: one past the last item
        File.WriteAllBytes(file, bad);
        var e = Assert.Throws<InvalidDataException>(() => ModelStore.LoadItemKnn(dir));
        Assert.Contains("neighbors.csr", e.Message);
        Assert.Contains("item 3, slot 1: neighbour 40 is outside the 40 items", e.Message);

        bad = (byte[])good.Clone();
        BitConverter.GetBytes(float.NaN).CopyTo(bad, idsAt + 4 * (int)(Offset(40) + Offset(3))); // item 3, slot 0's similarity
        File.WriteAllBytes(file, bad);
        Assert.Contains("item 3, slot 0: similarity NaN is not finite", Assert.Throws<InvalidDataException>(() => ModelStore.LoadItemKnn(dir)).Message);

        bad = (byte[])good.Clone();
        BitConverter.GetBytes(-1L).CopyTo(bad, 32 + 8); // offsets[1] below offsets[0]
        File.WriteAllBytes(file, bad);
        Assert.Contains("item 0's entries [0, -1) run backwards", Assert.Throws<InvalidDataException>(() => ModelStore.LoadItemKnn(dir)).Message);

        File.WriteAllBytes(file, good[..^4]);
        e = Assert.Throws<InvalidDataException>(() => ModelStore.LoadItemKnn(dir));
        Assert.Contains("neighbors.csr", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void ItemKnn_StoresOnlyTheEntriesItsListsHold()
    {
        // A sequence model over short histories: most items have far fewer neighbours than the longest list.
        var data = Data();
        var model = new ItemKnn(neighbors: 30, ItemSimilarityKind.Sequence, window: 1);
        model.Fit(data);
        long entries = 0;
        int longest = 0;
        for (int i = 0; i < data.ItemCount; i++)
        {
            entries += model.NeighborsOf(i).Items.Length;
            longest = Math.Max(longest, model.NeighborsOf(i).Items.Length);
        }
        Assert.True(entries < (long)data.ItemCount * longest, $"the fixture's lists are all {longest} long: the test needs uneven ones");
        string dir = Path.Combine(_dir, "sequence-csr");
        ModelStore.SaveItemKnn(model, data.Events.Items, dir);
        // Header, items + 1 offsets, 8 bytes per entry: nothing for the slots the fixed-width layout padded.
        Assert.Equal(32 + 8L * (data.ItemCount + 1) + 8 * entries, new FileInfo(Path.Combine(dir, "neighbors.csr")).Length);
        Assert.False(File.Exists(Path.Combine(dir, "neighbors.ids")));
    }

    [Fact]
    public void ItemKnn_FixedWidthDirectory_WrittenBeforeCsr_StillLoads()
    {
        var data = Data();
        var model = new ItemKnn(neighbors: 7, ItemSimilarityKind.Sequence, window: 2);
        model.Fit(data);
        // Written by the fixed-width writer (ModelStore before 5efe58b) from this very model; a copy, since the test damages it.
        string dir = Path.Combine(_dir, "knn-fixed");
        Directory.CreateDirectory(dir);
        foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Persistence", "Fixtures", "itemknn-fixed-width")))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        Assert.True(File.Exists(Path.Combine(dir, "neighbors.ids")));
        Assert.False(File.Exists(Path.Combine(dir, "neighbors.csr")));
        var (restored, items) = ModelStore.LoadItemKnn(dir);
        Assert.Equal(data.Events.Items.Ids, items.Ids);
        Assert.Equal((7, 2, ItemSimilarityKind.Sequence), (restored.Neighbors, restored.Window, restored.Similarity));
        for (int i = 0; i < data.ItemCount; i++)
        {
            Assert.Equal(model.NeighborsOf(i).Items.ToArray(), restored.NeighborsOf(i).Items.ToArray());
            Assert.Equal(model.NeighborsOf(i).Similarities.ToArray(), restored.NeighborsOf(i).Similarities.ToArray());
        }

        // Its own damage checks still name the slot layout.
        string ids = Path.Combine(dir, "neighbors.ids");
        long[] values = IdFile.Read(ids);
        IdFile.Write(ids, values.AsSpan(0, values.Length - 7));
        var e = Assert.Throws<InvalidDataException>(() => ModelStore.LoadItemKnn(dir));
        Assert.Contains($"the manifest says {data.ItemCount} items x", e.Message);
    }

    [Fact]
    public void Popularity_DamagedFiles_NameTheFileAndWhatIsWrong()
    {
        var data = Data();
        var model = new PopularityModel(new PopularityOptions { HalfLifeDays = 30, BySegment = true }, "trending");
        model.Fit(data);
        string dir = Path.Combine(_dir, "pop-bad");
        ModelStore.Save(model, data.Events.Users, data.Events.Items, dir);
        string counts = Path.Combine(dir, "counts.f64");
        byte[] bytes = File.ReadAllBytes(counts);

        File.WriteAllBytes(counts, bytes[..^8]);
        var e = Assert.Throws<InvalidDataException>(() => ModelStore.Load(dir));
        Assert.Contains("counts.f64", e.Message);
        Assert.Contains("truncated", e.Message);

        bytes[0] = (byte)'X';
        File.WriteAllBytes(counts, bytes);
        e = Assert.Throws<InvalidDataException>(() => ModelStore.Load(dir));
        Assert.Contains("counts.f64: not a RecSys double matrix file", e.Message);

        string userSegments = Path.Combine(dir, "user_segments.txt");
        File.WriteAllLines(userSegments, File.ReadAllLines(userSegments)[1..]);
        e = Assert.Throws<InvalidDataException>(() => ModelStore.Load(dir));
        Assert.Contains("user_segments.txt: 79 user segment keys, the manifest says 80", e.Message);

        string usersFile = Path.Combine(dir, "users.txt");
        File.WriteAllLines(usersFile, File.ReadAllLines(usersFile)[1..]);
        File.WriteAllLines(userSegments, Enumerable.Repeat("", 80));
        bytes[0] = (byte)'R';
        File.WriteAllBytes(counts, bytes);
        e = Assert.Throws<InvalidDataException>(() => ModelStore.Load(dir));
        Assert.Contains("users.txt: 79 ids, the manifest says 80", e.Message);
    }

    [Fact]
    public void Blend_MissingSourceOrParameter_NamesTheFile()
    {
        var data = Data();
        var blend = new RankFusion([new BlendSource(new PopularityModel(), 1f), new BlendSource(new ItemKnn(3), 1f)], depth: 10, c: 5f);
        blend.Fit(data);
        string dir = Path.Combine(_dir, "blend-bad");
        ModelStore.Save(blend, data.Events.Users, data.Events.Items, dir);
        string manifest = Path.Combine(dir, ModelManifest.FileName);
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        json["parameters"]!.AsObject().Remove("depth");
        File.WriteAllText(manifest, json.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => ModelStore.Load(dir));
        Assert.Contains(manifest, e.Message);
        Assert.Contains("lacks parameter 'depth'", e.Message);

        json["parameters"]!["depth"] = "10";
        File.WriteAllText(manifest, json.ToJsonString());
        Directory.Delete(Path.Combine(dir, "source-1-itemknn"), recursive: true);
        var missing = Assert.Throws<FileNotFoundException>(() => ModelStore.Load(dir));
        Assert.Contains(Path.Combine(dir, "source-1-itemknn", ModelManifest.FileName), missing.Message);

        json["files"]!["source_1"] = "../elsewhere";
        File.WriteAllText(manifest, json.ToJsonString());
        e = Assert.Throws<InvalidDataException>(() => ModelStore.Load(dir));
        Assert.Contains("not a plain file name", e.Message);
    }

    [Fact]
    public void Blend_SavedAcrossAPowerLoss_LoadsWithTheSameScores()
    {
        var data = Data();
        RankFusion blend = FittedBlend(data);
        string dir = Path.Combine(_dir, "blend"); // new, with a new folder per source: their entries must reach the disk too
        using (var power = new PowerLossSimulator(_dir))
        {
            ModelStore.Save(blend, data.Events.Users, data.Events.Items, dir);
            power.Crash();
        }
        var (loaded, users, items) = ModelStore.Load(dir);
        var restored = Assert.IsType<RankFusion>(loaded);
        Assert.Equal(data.Events.Users.Ids, users!.Ids);
        Assert.Equal(data.Events.Items.Ids, items.Ids);
        restored.AttachHistories(data.Matrix);
        AssertSameScores(blend, restored, data.UserCount, data.ItemCount);
    }

    /// <summary>The same save with the helper's file or directory fsync dropped: the power loss takes it, so the test above can fail.</summary>
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Blend_WithoutAFsync_APowerLossLosesTheSave(bool syncFiles, bool syncDirectories)
    {
        var data = Data();
        RankFusion blend = FittedBlend(data);
        string dir = Path.Combine(_dir, "blend");
        using (var power = new PowerLossSimulator(_dir, syncFiles, syncDirectories))
        {
            ModelStore.Save(blend, data.Events.Users, data.Events.Items, dir);
            power.Crash();
        }
        if (syncFiles)
            Assert.Throws<FileNotFoundException>(() => ModelStore.Load(dir)); // the new folder's entry never reached the disk
        else
            Assert.Throws<InvalidDataException>(() => ModelStore.Load(dir)); // names on the disk, data not: empty files
    }
}
