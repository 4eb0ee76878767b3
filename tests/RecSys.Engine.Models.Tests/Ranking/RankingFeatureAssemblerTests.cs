using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.Ranking;

public sealed class RankingFeatureAssemblerTests
{
    private static readonly RankingFeatureSchema Schema = RankingFeatureSchema.Create(["action", "comedy", "drama"], ["als", "ease"]);

    private sealed class Columns
    {
        public float[] Trend = [0, 9, 99];
        public float[] AgeHours = [-1, 0, 240];
        public ulong[] Masks = [0b001, 0b110, 0];
        public float[] Similarity = [0.1f, float.NaN, -0.3f];
        public float[] Cf = [1f, float.NaN, 3f];
        // als: 3 candidates, ease: one not retrieved (NaN)
        public float[] Scores = [2f, 5f, 1f, 0.5f, float.NaN, 0.25f];
        public int[] Ranks = [2, 1, 3, 1, 0, 2];
        public float[] Share = [0.5f, 0.25f, 0.125f];

        public RankingFeatureInput Input() => new()
        {
            User = new RankingUserFeatures { HistoryLength = 19, AgeBucket = 3, Gender = UserGender.Female },
            Context = new RankingContext { Surface = RankingSurface.Email, Hour = 6, Weekday = DayOfWeek.Sunday },
            UserCategoryShare = Share,
            ItemTrend = Trend,
            ItemAgeHours = AgeHours,
            ItemCategoryMask = Masks,
            ContentSimilarity = Similarity,
            CfScore = Cf,
            SourceScores = Scores,
            SourceRanks = Ranks,
        };
    }

    private static float At(float[] t, int candidate, string feature) => t[candidate * Schema.Count + Schema.IndexOf(feature)];

    [Fact]
    public void Assemble_WritesEveryGroupWithItsScaling()
    {
        var columns = new Columns();
        var assembler = new RankingFeatureAssembler(Schema);
        var t = new float[assembler.TensorLength(3)];
        Array.Fill(t, float.NaN); // every cell must be written
        assembler.Assemble(columns.Input(), 3, t);
        Assert.DoesNotContain(t, float.IsNaN);

        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(MathF.Log(20), At(t, c, "user_log_history"), 6);
            Assert.Equal(3f / 7f, At(t, c, "user_age_bucket"), 6);
            Assert.Equal(1f, At(t, c, "user_gender_female"));
            Assert.Equal(0f, At(t, c, "user_gender_male"));
            Assert.Equal(1f, At(t, c, "user_demographics_known"));
            Assert.Equal(1f, At(t, c, "context_surface_email"));
            Assert.Equal(0f, At(t, c, "context_surface_home"));
            Assert.Equal(1f, At(t, c, "context_hour_sin"), 6); // 6 o'clock: a quarter turn
            Assert.Equal(1f, At(t, c, "context_weekday_cos"), 6);
        }
        // Trend counters: log(1 + x) = 0, ln 10, ln 100, centred on their mean ln 10.
        Assert.Equal(-MathF.Log(10), At(t, 0, "item_log_trend"), 5);
        Assert.Equal(MathF.Log(10), At(t, 2, "item_log_trend"), 5);
        Assert.Equal((0f, 0f), (At(t, 0, "item_log_age_days"), At(t, 0, "item_age_known"))); // unknown
        Assert.Equal((0f, 1f), (At(t, 1, "item_log_age_days"), At(t, 1, "item_age_known"))); // published just now
        Assert.Equal(MathF.Log(11), At(t, 2, "item_log_age_days"), 6); // 10 days
        Assert.Equal([1f, 0f, 0f], new[] { At(t, 0, "item_category_action"), At(t, 0, "item_category_comedy"), At(t, 0, "item_category_drama") });
        Assert.Equal([0f, 1f, 1f], new[] { At(t, 1, "item_category_action"), At(t, 1, "item_category_comedy"), At(t, 1, "item_category_drama") });

        // als scores 2, 5, 1: mean 8/3, std sqrt(10 - 64/9); ease 0.5, not retrieved, 0.25: mean 0.375, std 0.125.
        float alsStd = MathF.Sqrt(10f - 64f / 9f);
        Assert.Equal((5f - 8f / 3f) / alsStd, At(t, 1, "source_als_score_z"), 5);
        Assert.Equal(-3f / alsStd, At(t, 0, "source_als_score_gap"), 5);
        Assert.Equal(0.5f, At(t, 0, "source_als_inverse_rank"));
        Assert.Equal(0f, At(t, 1, "source_ease_inverse_rank")); // not retrieved by ease
        Assert.Equal(0f, At(t, 1, "source_ease_score_z")); // its score is unknown -> 0
        Assert.Equal(0f, At(t, 1, "source_ease_score_gap"));
        Assert.Equal(-1f, At(t, 2, "source_ease_score_z"), 5);
        Assert.Equal(-2f, At(t, 2, "source_ease_score_gap"), 5);

        Assert.Equal(0.5f, At(t, 0, "user_category_affinity_mean"));
        Assert.Equal((0.25f + 0.125f) / 2, At(t, 1, "user_category_affinity_mean"));
        Assert.Equal(0.25f, At(t, 1, "user_category_affinity_max"));
        Assert.Equal(0f, At(t, 2, "user_category_affinity_max")); // no categories
        Assert.Equal(-0.3f, At(t, 2, "content_similarity_recent"));
        Assert.Equal(0f, At(t, 1, "content_similarity_recent")); // unknown -> 0
        // CF 1, unknown, 3: mean 2, std 1.
        Assert.Equal((-1f, -2f), (At(t, 0, "cf_score_z"), At(t, 0, "cf_score_gap")));
        Assert.Equal((0f, 0f), (At(t, 1, "cf_score_z"), At(t, 1, "cf_score_gap")));
        Assert.Equal((1f, 0f), (At(t, 2, "cf_score_z"), At(t, 2, "cf_score_gap")));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-5f)]
    public void AnInvalidTrendCounter_ReadsAsZero_AndLeavesTheOtherCandidatesTrendAlone(float bad)
    {
        // The trend column is centred on the request's mean: one NaN counter used to make every candidate's trend NaN.
        var assembler = new RankingFeatureAssembler(Schema);
        var zero = new Columns { Trend = [0, 0, 99] };
        var invalid = new Columns { Trend = [0, bad, 99] };
        var expected = new float[assembler.TensorLength(3)];
        var actual = new float[assembler.TensorLength(3)];
        assembler.Assemble(zero.Input(), 3, expected);
        assembler.Assemble(invalid.Input(), 3, actual);
        Assert.Equal(expected, actual);
        Assert.True(At(actual, 2, "item_log_trend") > 0f);
    }

    [Fact]
    public void Surface_OfAPipelineName_IsTheSchemasColumn()
    {
        Assert.Equal(RankingSurface.ItemPage, RankingContext.SurfaceOf("item-page"));
        Assert.Equal(RankingSurface.Home, RankingContext.SurfaceOf("Home"));
        Assert.Equal(RankingSurface.Other, RankingContext.SurfaceOf("newsletter"));
        var schema = RankingFeatureSchema.Create([], [], RankingFeatureGroups.Context);
        var t = new float[schema.Count];
        new RankingFeatureAssembler(schema).Assemble(new RankingFeatureInput { Context = new RankingContext { Surface = RankingSurface.Other } }, 1, t);
        Assert.All(t[..4], v => Assert.Equal(0f, v)); // no surface column set
    }

    [Fact]
    public void Assemble_OfAGroupSubset_WritesOnlyThoseColumns()
    {
        var schema = RankingFeatureSchema.Create(["action", "comedy", "drama"], ["als", "ease"], RankingFeatureGroups.Sources);
        var t = new float[schema.Count * 3];
        new RankingFeatureAssembler(schema).Assemble(new Columns().Input(), 3, t);
        Assert.Equal(6, schema.Count);
        Assert.Equal((5f - 8f / 3f) / MathF.Sqrt(10f - 64f / 9f), t[1 * 6 + 0], 5); // als z-score of candidate 1
        Assert.Equal(-1f, t[2 * 6 + 3], 5); // ease z-score of candidate 2
        Assert.Equal(-2f, t[2 * 6 + 4], 5); // and its gap to the best ease score
    }

    [Fact]
    public void SourceScores_AreStandardisedWithinTheRequest_SoTheirScaleDoesNotMatter()
    {
        var schema = RankingFeatureSchema.Create([], ["als"], RankingFeatureGroups.Sources);
        var assembler = new RankingFeatureAssembler(schema);
        float[] Assemble(float[] scores)
        {
            var t = new float[3 * schema.Count];
            assembler.Assemble(new RankingFeatureInput { SourceScores = scores, SourceRanks = new int[3] }, 3, t);
            return t;
        }
        float[] small = Assemble([1f, 2f, 4f]);
        float[] scaled = Assemble([13f, 23f, 43f]); // x 10 + 3
        for (int i = 0; i < small.Length; i++)
            Assert.Equal(small[i], scaled[i], 5);
        Assert.All(Assemble([2f, 2f, 2f]), v => Assert.Equal(0f, v)); // no spread: no signal
    }

    [Fact]
    public void Assemble_WithAShortColumn_NamesIt()
    {
        var columns = new Columns { AgeHours = [1f] };
        var t = new float[Schema.Count * 3];
        var e = Assert.Throws<ArgumentException>(() => new RankingFeatureAssembler(Schema).Assemble(columns.Input(), 3, t));
        Assert.Contains("ItemAgeHours", e.Message);
        Assert.Throws<ArgumentException>(() => new RankingFeatureAssembler(Schema).Assemble(new Columns().Input(), 3, new float[5]));
    }

    [Fact]
    public void Assemble_AllocatesNothing()
    {
        var columns = new Columns();
        var assembler = new RankingFeatureAssembler(Schema);
        var t = new float[assembler.TensorLength(3)];
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            for (int i = 0; i < 100; i++)
                assembler.Assemble(columns.Input(), 3, t);
        });
        Assert.Equal(0, bytes);
    }
}
