using RecSys.Engine.Models.Ranking.Gbdt;

namespace RecSys.Engine.Models.Tests.Ranking.Gbdt;

/// <summary>LightGBM's JSON dump read by hand-written models, so every rule is pinned without LightGBM in the loop.</summary>
public sealed class TreeEnsembleJsonTests
{
    private static string Split(int feature, double threshold, bool defaultLeft, string missing, string left, string right, string decision = "<=") =>
        $$"""{"split_index":0,"split_feature":{{feature}},"split_gain":1,"threshold":{{threshold:R}},"decision_type":"{{decision}}","default_left":{{(defaultLeft ? "true" : "false")}},"missing_type":"{{missing}}","internal_value":0,"internal_weight":0,"internal_count":10,"left_child":{{left}},"right_child":{{right}}}""";

    private static string Leaf(double value) => $$"""{"leaf_index":0,"leaf_value":{{value:R}},"leaf_weight":1,"leaf_count":5}""";

    private static string Model(int features, params string[] trees) =>
        $$"""{"name":"tree","version":"v4","num_class":1,"num_tree_per_iteration":1,"label_index":0,"max_feature_idx":{{features - 1}},"objective":"lambdarank","average_output":false,"feature_names":[],"tree_info":[{{string.Join(",", trees.Select((t, i) => $$"""{"tree_index":{{i}},"num_leaves":2,"num_cat":0,"shrinkage":0.1,"tree_structure":{{t}}}"""))}}]}""";

    /// <summary>
    /// tree 0: x0 &lt;= 0.5 (NaN missing, default left) ? 1 : 2.
    /// tree 1: x1 &lt;= -1 (None: NaN reads 0, goes right) ? (x2 &lt;= 3 (Zero missing, default left) ? 10 : 20) : 30.
    /// tree 2: a single leaf, 0.25.
    /// tree 3: x2 &lt;= 0 (Zero missing, default right) ? 100 : 200.
    /// </summary>
    private static readonly string Hand = Model(3,
        Split(0, 0.5, true, "NaN", Leaf(1), Leaf(2)),
        Split(1, -1, false, "None", Split(2, 3, true, "Zero", Leaf(10), Leaf(20)), Leaf(30)),
        Leaf(0.25),
        Split(2, 0, false, "Zero", Leaf(100), Leaf(200)));

    [Theory]
    [InlineData(0.2f, -2f, -0.5f, 1 + 10 + 0.25 + 100)]
    [InlineData(0.7f, -2f, 4f, 2 + 20 + 0.25 + 200)]
    [InlineData(0.5f, -1f, 3f, 1 + 10 + 0.25 + 200)] // on a threshold goes left
    [InlineData(float.NaN, -2f, -0.5f, 1 + 10 + 0.25 + 100)] // NaN type, default left
    [InlineData(0.7f, float.NaN, 1f, 2 + 30 + 0.25 + 200)] // None type: NaN reads 0 > -1, right
    [InlineData(0.7f, -2f, 0f, 2 + 10 + 0.25 + 200)] // Zero type: 0 is missing, default direction (left in tree 1, right in tree 3)
    [InlineData(0.7f, -2f, float.NaN, 2 + 10 + 0.25 + 200)] // Zero type: NaN reads 0, missing
    [InlineData(0.7f, -2f, -1e-36f, 2 + 10 + 0.25 + 200)] // inside the zero band
    [InlineData(0.7f, -2f, -1e-30f, 2 + 10 + 0.25 + 100)] // outside it: compared
    public void Walk_FollowsLightGbmsDecisionRules(float x0, float x1, float x2, double expected)
    {
        var model = TreeEnsemble.FromLightGbmJson(Hand);
        Assert.Equal((4, 3, 12), (model.TreeCount, model.FeatureCount, model.NodeCount));
        float[] row = [x0, x1, x2];
        var score = new float[1];
        model.Score(row, score);
        Assert.Equal((float)expected, score[0]);
        Assert.Equal(expected, TreeWalk.ScoreReference(model, row));
    }

    [Fact]
    public void CategoricalSplit_IsRefused_NamingTreeAndNode()
    {
        string json = Model(2, Leaf(1), Split(0, 0.5, false, "None", Leaf(1), Split(1, 2, false, "None", Leaf(1), Leaf(2), decision: "==")));
        var e = Assert.Throws<InvalidDataException>(() => TreeEnsemble.FromLightGbmJson(json));
        Assert.Contains("tree 1, node 2", e.Message);
        Assert.Contains("categorical", e.Message);
    }

    [Theory]
    [InlineData("""{"num_class":3,"num_tree_per_iteration":3,"max_feature_idx":1,"tree_info":[]}""", "only single-output models")]
    [InlineData("""{"num_class":1,"num_tree_per_iteration":1,"max_feature_idx":1}""", "no 'tree_info'")]
    [InlineData("""{"num_class":1,"num_tree_per_iteration":1,"max_feature_idx":1,"tree_info":[]}""", "no trees")]
    [InlineData("""{"num_class":1,"num_tree_per_iteration":1,"max_feature_idx":1,"tree_info":[{"tree_structure":{"leaf_value":"x"}}]}""", "not a LightGBM JSON model dump")]
    [InlineData("""{"num_class":1,"num_tree_per_iteration":1,"max_feature_idx":1,"tree_info":[{"tree_structure":{"split_feature":0}}]}""", "tree 0, node 0: no 'decision_type'")]
    [InlineData("{ not json", "not a LightGBM JSON model dump")]
    public void MalformedDump_IsAClearError(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => TreeEnsemble.FromLightGbmJson(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ClampedInfiniteThreshold_IsReadAsInfinity()
    {
        // LightGBM dumps its "all values left, NaN right" split at +inf as 1e300; its predictor sends +inf left.
        var model = TreeEnsemble.FromLightGbmJson(Model(1, Split(0, 1e300, false, "NaN", Leaf(1), Leaf(2))));
        var score = new float[1];
        model.Score([float.PositiveInfinity], score);
        Assert.Equal(1f, score[0]);
        model.Score([float.NaN], score);
        Assert.Equal(2f, score[0]);
    }

    [Fact]
    public void SplitOnAFeaturePastTheModelsWidth_IsRefused()
    {
        string json = Model(2, Split(2, 0.5, false, "None", Leaf(1), Leaf(2)));
        var e = Assert.Throws<InvalidDataException>(() => TreeEnsemble.FromLightGbmJson(json));
        Assert.Contains("splits on feature 2, but the model has 2 features", e.Message);
    }

    [Fact]
    public void DeepChain_IsReadWithoutRecursion()
    {
        // A chain of 3,000 splits down the left side (x <= 2999 ? (x <= 2998 ? ... : 2998) : 2999) nests 3,000 JSON levels.
        string tree = Leaf(-1);
        for (int i = 0; i < 3000; i++)
            tree = Split(0, i, false, "None", tree, Leaf(i));
        var model = TreeEnsemble.FromLightGbmJson(Model(1, tree));
        Assert.Equal(6001, model.NodeCount);
        var score = new float[1];
        model.Score([10.5f], score);
        Assert.Equal(10f, score[0]);
        model.Score([-5f], score);
        Assert.Equal(-1f, score[0]);
        model.Score([5000f], score);
        Assert.Equal(2999f, score[0]);
    }
}
