using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.FeatureAssembly;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.FeatureAssembly;

/// <summary>
/// One feature assembly: the rows a served request's ranker reads (a real FASTER store, the bootstrapped catalog, the
/// pipeline's own sources) are the rows offline training computes from the interaction data and the models for the
/// same user, candidates and time.
/// </summary>
public sealed class RankingFeatureWriterTests
{
    /// <summary>The pipeline's home sources, plus one the pipeline does not have (it reads as retrieving nothing).</summary>
    private static readonly string[] Sources = [SourceNames.Collaborative, SourceNames.ItemToItem, SourceNames.Content, SourceNames.Trending, SourceNames.Popular, "twotower"];

    private const int Window = 8;

    /// <summary>Writes each request's rows with the writer and keeps them, with the candidates and their source columns in schema order.</summary>
    private sealed class CapturingRanker(RankingFeatureWriter writer) : IRanker
    {
        public readonly List<(int[] Ordinals, float[] Rows, float[] Scores, int[] Ranks)> Requests = [];

        public string Name => "capture";

        public bool NeedsFeatures => true;

        public ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
        {
            float[] rows = writer.Write(input).ToArray();
            int n = input.Count;
            var sourceScores = new float[Sources.Length * n];
            var sourceRanks = new int[Sources.Length * n];
            for (int s = 0; s < Sources.Length; s++)
            {
                int column = input.Candidates.SourceNames.IndexOf(Sources[s]);
                sourceScores.AsSpan(s * n, n).Fill(float.NaN);
                if (column < 0)
                    continue;
                input.Candidates.SourceScore(column).CopyTo(sourceScores.AsSpan(s * n));
                input.Candidates.SourceRank(column).CopyTo(sourceRanks.AsSpan(s * n));
            }
            Requests.Add((input.Candidates.Ordinals.ToArray(), rows, sourceScores, sourceRanks));
            scores.Span[..n].Clear();
            return ValueTask.CompletedTask;
        }
    }

    private static RankingFeatureSchema SchemaOf(PlantedCatalog planted, int window = Window) =>
        RankingFeatureSchema.Create(planted.Data.Catalog!.DistinctCategories(), Sources, historyWindow: window);

    [Fact]
    public async Task Served_rows_equal_the_rows_offline_training_computes_for_the_same_user_candidates_and_time()
    {
        var planted = new PlantedCatalog();
        var schema = SchemaOf(planted);
        var ranker = new CapturingRanker(new RankingFeatureWriter(schema));
        // A history window shorter than the users' histories, so its cut is checked too.
        await using var h = await PipelineHarness.CreateAsync(c => c with { HistoryWindow = Window }, ranker, planted: planted);
        int[] users = [0, 1, 8, 37, 121];
        foreach (int u in users)
            await h.RecommendAsync(PlantedCatalog.UserId(u));
        Assert.Equal(users.Length, ranker.Requests.Count);

        var offline = new OfflineRankingFeatures(planted.Data, schema, h.ContentModel, h.Models.Als, h.NowMs);
        var assembler = new RankingFeatureAssembler(schema);
        var scratch = new OfflineRankingScratch(offline);
        int f = schema.Count;
        for (int r = 0; r < users.Length; r++)
        {
            var (ordinals, served, scores, ranks) = ranker.Requests[r];
            int n = ordinals.Length;
            Assert.True(n > 20, $"{n} candidates");
            RankingFeatureInput input = offline.Input(users[r], ordinals, scratch);
            // Schema v3: the sources that can score one item score every candidate, with the offline models' numbers
            // (collaborative: the user's ALS row . the item's factors; content: the history profile's cosine).
            int retrievedOnly = 0;
            for (int c = 0; c < n; c++)
                retrievedOnly += float.IsNaN(scores[c]) ? 1 : 0;
            Assert.True(retrievedOnly > 0, "every candidate came from the collaborative source: the dense fill is not tested");
            input.CfScore.CopyTo(scores.AsSpan(Array.IndexOf(Sources, SourceNames.Collaborative) * n, n));
            input.ContentSimilarity.CopyTo(scores.AsSpan(Array.IndexOf(Sources, SourceNames.Content) * n, n));
            input.SourceScores = scores;
            input.SourceRanks = ranks;
            var rows = new float[n * f];
            assembler.Assemble(input, n, rows);
            for (int k = 0; k < rows.Length; k++)
            {
                if (rows[k] != served[k])
                    Assert.Fail($"user {users[r]}, candidate {k / f} (item {ordinals[k / f]}), feature '{schema.Features[k % f].Name}': offline {rows[k]:R}, served {served[k]:R}");
            }
            // Not vacuous: the history, the store's counters, the categories, the CF and content scores all reached the rows.
            Assert.Equal(MathF.Log(1 + Window), served[schema.IndexOf("user_log_history")]);
            Assert.Contains(Enumerable.Range(0, n), c => served[c * f + schema.IndexOf("item_log_trend")] != 0);
            Assert.Contains(Enumerable.Range(0, n), c => served[c * f + schema.IndexOf("user_category_affinity_max")] > 0.5f);
            Assert.Contains(Enumerable.Range(0, n), c => served[c * f + schema.IndexOf("cf_score_z")] != 0);
            Assert.Contains(Enumerable.Range(0, n), c => served[c * f + schema.IndexOf("content_similarity_recent")] != 0);
            Assert.Contains(Enumerable.Range(0, n), c => served[c * f + schema.IndexOf("source_collaborative_inverse_rank")] == 1);
            Assert.All(Enumerable.Range(0, n), c => Assert.Equal(0f, served[c * f + schema.IndexOf("source_twotower_inverse_rank")]));
            Assert.Equal(1f, served[schema.IndexOf("user_demographics_known")]);
        }
    }

    [Fact]
    public async Task A_pipeline_reading_another_history_window_than_the_schema_is_refused_naming_it()
    {
        var planted = new PlantedCatalog(items: 120, users: 40);
        var writer = new RankingFeatureWriter(SchemaOf(planted, window: 50));
        await using var h = await PipelineHarness.CreateAsync(ranker: new CapturingRanker(writer), planted: planted);
        Assert.Contains("HistoryWindow", writer.Mismatch(h.Pipeline.Version.Config));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await h.RecommendAsync(PlantedCatalog.UserId(3)));
        Assert.Contains("50", e.Message);
        Assert.Null(writer.Mismatch(h.Pipeline.Version.Config with { HistoryWindow = 50 }));
    }
}
