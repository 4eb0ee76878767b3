using RecSys.Engine.Models.Ranking.Gbdt;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.Ranking.Gbdt;

public sealed class TreeEnsembleFileTests
{
    private static TreeEnsemble Trained()
    {
        using var lgbm = new LightGbmModels(LightGbmModels.Parameters(false), rounds: 25);
        return TreeEnsemble.FromLightGbmJson(lgbm.Booster.DumpModelJson());
    }

    [Fact]
    public void SaveLoad_RoundTripsEveryNodeAndScore()
    {
        using var dir = new TempDirectory();
        var model = Trained();
        string path = dir.File("ranker.gbdt");
        model.Save(path);
        Assert.False(File.Exists(path + ".tmp"));

        var loaded = TreeEnsemble.Load(path);
        Assert.Equal((model.FeatureCount, model.TreeCount, model.NodeCount), (loaded.FeatureCount, loaded.TreeCount, loaded.NodeCount));
        Assert.True(model.TreeStarts.SequenceEqual(loaded.TreeStarts));
        Assert.True(model.SplitFeatures.SequenceEqual(loaded.SplitFeatures));
        Assert.True(model.Thresholds.SequenceEqual(loaded.Thresholds));
        Assert.True(model.RightChildren.SequenceEqual(loaded.RightChildren));
        Assert.True(model.DecisionTypes.SequenceEqual(loaded.DecisionTypes));
        Assert.True(model.LeafValues.SequenceEqual(loaded.LeafValues));
        var rng = new Random(3);
        var rows = new float[300 * model.FeatureCount];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = rng.Next(10) == 0 ? float.NaN : (float)(rng.NextDouble() * 4 - 2);
        float[] a = new float[300], b = new float[300];
        model.Score(rows, a);
        loaded.Score(rows, b);
        Assert.Equal(a, b);

        // Saving again replaces the file in place.
        Trained().Save(path);
        Assert.Equal(model.NodeCount, TreeEnsemble.Load(path).NodeCount);
    }

    [Fact]
    public void SaveLoad_RoundTripsTheBaseMargin_AsVersion2()
    {
        using var dir = new TempDirectory();
        TreeEnsemble trees = Trained();
        TreeEnsemble model = trees.WithBase(2, -1.5f);
        string path = dir.File("residual.gbdt");
        model.Save(path);
        Assert.Equal(2, BitConverter.ToInt32(File.ReadAllBytes(path), 8));

        var loaded = TreeEnsemble.Load(path);
        Assert.Equal((2, -1.5f), (loaded.BaseFeature, loaded.BaseWeight));
        var rng = new Random(5);
        var rows = new float[100 * model.FeatureCount];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = (float)(rng.NextDouble() * 4 - 2);
        float[] a = new float[100], b = new float[100], t = new float[100];
        model.Score(rows, a);
        loaded.Score(rows, b);
        trees.Score(rows, t);
        Assert.Equal(a, b);
        for (int r = 0; r < 100; r++)
            Assert.Equal(t[r] + -1.5f * rows[r * model.FeatureCount + 2], a[r]);

        // A model without a base stays version 1, the format older builds read.
        trees.Save(path);
        Assert.Equal(1, BitConverter.ToInt32(File.ReadAllBytes(path), 8));
        Assert.False(TreeEnsemble.Load(path).HasBase);
        Assert.Throws<ArgumentOutOfRangeException>(() => trees.WithBase(trees.FeatureCount, 1f));
    }

    [Fact]
    public void Save_SurvivesAPowerLoss_AndWithoutTheFileFsyncDoesNot()
    {
        using var dir = new TempDirectory();
        var model = Trained();
        string kept = dir.File("kept.gbdt"), lost = dir.File("lost.gbdt");
        using (var power = new PowerLossSimulator(dir.Path))
        {
            model.Save(kept);
            power.Crash();
        }
        Assert.Equal(model.NodeCount, TreeEnsemble.Load(kept).NodeCount);

        using (var power = new PowerLossSimulator(dir.Path, syncFiles: false))
        {
            model.Save(lost);
            power.Crash();
        }
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => TreeEnsemble.Load(lost)).Message);
    }

    [Fact]
    public void CorruptFile_IsAClearError_NamingTheFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ranker.gbdt");
        Trained().Save(path);
        byte[] good = File.ReadAllBytes(path);

        byte[] flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        var e = Assert.Throws<InvalidDataException>(() => TreeEnsemble.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("checksum mismatch", e.Message);

        File.WriteAllBytes(path, good.AsSpan(0, good.Length - 100).ToArray());
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => TreeEnsemble.Load(path)).Message);

        File.WriteAllBytes(path, [.. good, 0]);
        Assert.Contains("trailing bytes", Assert.Throws<InvalidDataException>(() => TreeEnsemble.Load(path)).Message);

        byte[] magic = (byte[])good.Clone();
        magic[0] = (byte)'X';
        File.WriteAllBytes(path, magic);
        Assert.Contains("not a tree ensemble file", Assert.Throws<InvalidDataException>(() => TreeEnsemble.Load(path)).Message);

        File.WriteAllBytes(path, good.AsSpan(0, 10).ToArray());
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => TreeEnsemble.Load(path)).Message);

        Assert.Throws<FileNotFoundException>(() => TreeEnsemble.Load(dir.File("missing.gbdt")));
    }
}
