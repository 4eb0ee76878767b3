using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Models.Tests.Ranking;

public sealed class RankingFeatureSchemaTests
{
    [Fact]
    public void Schema_LaysOutGroupsInOrder_WithOneColumnPerCategoryAndThreePerSource()
    {
        var schema = RankingFeatureSchema.Create(["Action", "Children's"]);
        Assert.Equal(5 + 3 + 2 + 8 + 3 * 6 + 5, schema.Count);
        Assert.Equal(0, schema.IndexOf("user_log_history"));
        Assert.Equal(8, schema.IndexOf("item_category_action"));
        Assert.Equal(9, schema.IndexOf("item_category_children_s"));
        Assert.Equal(18, schema.IndexOf("source_als_score_z"));
        Assert.Equal(schema.Count - 3, schema.IndexOf("content_similarity_recent"));
        Assert.Equal(schema.Count - 1, schema.IndexOf("cf_score_gap"));
        Assert.All(schema.Features, f => Assert.False(string.IsNullOrEmpty(f.Meaning) || string.IsNullOrEmpty(f.Scaling)));

        var withoutSources = RankingFeatureSchema.Create(["Action"], groups: RankingFeatureGroups.All & ~RankingFeatureGroups.Sources);
        Assert.Equal(-1, withoutSources.IndexOf("source_als_score_z"));
        Assert.Equal(withoutSources.Count - 5, withoutSources.IndexOf("user_category_affinity_mean"));
    }

    [Fact]
    public void Json_RoundTrips_AndARebuiltSchemaEqualsTheOriginal()
    {
        var schema = RankingFeatureSchema.Create(["a", "b"], ["als", "ease"], RankingFeatureGroups.User | RankingFeatureGroups.Sources, historyWindow: 50, counterHalfLifeHours: 0.5);
        var back = RankingFeatureSchema.FromJson(schema.ToJson());
        Assert.Null(schema.FirstDifference(back));
        Assert.Equal(schema.Groups, back.Groups);
        Assert.Equal(schema.Categories, back.Categories);
        Assert.Equal(schema.Features, back.Features);
        Assert.Equal((50, 0.5), (back.HistoryWindow, back.CounterHalfLifeHours));
        Assert.Contains("\"version\": 3", schema.ToJson());
    }

    [Fact]
    public void Json_WithAFeatureThisBuildDoesNotAssemble_IsRefused_NamingIt()
    {
        string json = RankingFeatureSchema.Create(["a"]).ToJson().Replace("\"user_age_bucket\"", "\"user_height\"");
        var e = Assert.Throws<InvalidDataException>(() => RankingFeatureSchema.FromJson(json, "model.schema.json"));
        Assert.Contains("model.schema.json", e.Message);
        Assert.Contains("user_height", e.Message);

        // A version-2 model (a source's score only for what it retrieved) is refused, saying to retrain.
        string older = RankingFeatureSchema.Create(["a"]).ToJson().Replace("\"version\": 3", "\"version\": 2");
        string message = Assert.Throws<InvalidDataException>(() => RankingFeatureSchema.FromJson(older)).Message;
        Assert.Contains("version 2", message);
        Assert.Contains("retrain", message);
        Assert.Throws<InvalidDataException>(() => RankingFeatureSchema.FromJson("{ not json"));
    }

    [Fact]
    public void FirstDifference_NamesTheFirstFeatureThatDiffers()
    {
        var a = RankingFeatureSchema.Create(["x", "y"]);
        var b = RankingFeatureSchema.Create(["x", "z"]);
        string? d = a.FirstDifference(b, "mine", "theirs");
        Assert.Contains("item_category_y", d);
        Assert.Contains("item_category_z", d);
        Assert.Contains("mine", d);
        var shorter = RankingFeatureSchema.Create(["x"]);
        Assert.Contains("item_category_y", a.FirstDifference(shorter));
        // The parameters every value depends on count as differences too.
        Assert.Contains("history window", a.FirstDifference(RankingFeatureSchema.Create(["x", "y"], historyWindow: 20)));
        Assert.Contains("item_log_trend", a.FirstDifference(RankingFeatureSchema.Create(["x", "y"], counterHalfLifeHours: 48)));
    }

    [Fact]
    public void Create_RefusesTooManyCategories_AndEmptyGroups()
    {
        var many = Enumerable.Range(0, 65).Select(i => $"c{i}").ToArray();
        Assert.Throws<ArgumentException>(() => RankingFeatureSchema.Create(many));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankingFeatureSchema.Create([], groups: RankingFeatureGroups.None));
        Assert.Throws<ArgumentException>(() => RankingFeatureSchema.Create(["a", "A"])); // same column name twice
    }
}
