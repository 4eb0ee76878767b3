using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Evaluation;
using RecSys.Engine.Testing;
using Xunit.Abstractions;

namespace RecSys.Engine.Pipeline.Tests.Evaluation;

/// <summary>
/// The serving pipeline evaluated offline on MovieLens 100K (random 75/25 per user, seed 42, top 10). Measured here:
/// ALS alone 0.496 (README); the pipeline with the default weights and diversity / exploration off 0.496 (coverage
/// 0.20), with them on (MMR 0.7, least-shown exploration 0.1 from a pool of 60, epsilon 0.1) 0.4877 (coverage 0.36); with the old
/// defaults (cap 3, a uniform exploration draw, side sources at 0.1-0.2) 0.404 at 0.30, which these bounds refuse.
/// </summary>
public sealed class PipelineRecommenderTests(ITestOutputHelper output)
{
    [Fact]
    public void The_pipeline_evaluates_on_movielens_like_a_model()
    {
        var (train, test) = StandardSplit();
        var options = new EvaluationOptions { K = 10, MaxDegreeOfParallelism = Environment.ProcessorCount };

        using var plain = new PipelineRecommender(config: m => Plain(PipelineDefaults.Config(m)));
        plain.Fit(train);
        var plainResult = Evaluator.Evaluate(plain, train, test, options);

        using var full = new PipelineRecommender();
        full.Fit(train);
        var fullResult = Evaluator.Evaluate(full, train, test, options);

        foreach (var r in new[] { plainResult, fullResult })
            output.WriteLine($"{r.Model,-10} ndcg {r.Ndcg:F4} recall {r.Recall:F4} coverage {r.Coverage:F3} diversity {r.Diversity:F3} novelty {r.Novelty:F2} ({r.Parameters})");
        // Within 0.01 of ALS alone (0.496); diversity and exploration widen the coverage past 0.30 for a little NDCG.
        Assert.True(plainResult.Ndcg > 0.486, $"pipeline ndcg {plainResult.Ndcg:F4}");
        Assert.True(fullResult.Ndcg > 0.475, $"pipeline ndcg {fullResult.Ndcg:F4} with diversity and exploration");
        Assert.True(fullResult.Coverage > 0.30, $"coverage {fullResult.Coverage:F3} with diversity and exploration, {plainResult.Coverage:F3} without");
    }

    /// <summary>
    /// The ranked pipeline: a GBDT trained on the pipeline's own candidates and feature rows (inner split of the
    /// training part) serves the ranking stage. Measured here: 0.480 with the grid's choice (MMR 0.9, least-shown
    /// exploration 0.1; the rank-fusion pipeline with the defaults: 0.4877); the bound holds it near ALS, and the rows
    /// must come from the pipeline (every user asked once).
    /// </summary>
    [Fact]
    public void The_pipeline_trains_and_serves_a_learned_ranker_on_its_own_candidates()
    {
        var (train, test) = StandardSplit();
        var options = new EvaluationOptions { K = 10, MaxDegreeOfParallelism = Environment.ProcessorCount };

        using var ranked = new PipelineRecommender(config: m => Plain(PipelineDefaults.Config(m)), ranker: RankerKind.Gbdt)
        {
            PostProcessGrid = [(1f, 0f), (0.9f, 0.1f)], RankerGate = false,
        };
        ranked.Fit(train);
        var result = Evaluator.Evaluate(ranked, train, test, options);
        output.WriteLine($"{result.Model,-10} ndcg {result.Ndcg:F4} recall {result.Recall:F4} coverage {result.Coverage:F3} ({result.Parameters})");

        Assert.Equal("gbdt", ranked.Pipeline.Version.Ranker.Name);
        Assert.NotNull(ranked.Ranker?.Gbdt);
        Assert.Contains("source_collaborative_score_z", ranked.Ranker!.Schema.Features.Select(f => f.Name));
        Assert.Equal(2, ranked.GridResults.Count);
        // Exploration widens the inner split's coverage; the grid's choice is applied to the served surface.
        Assert.True(ranked.GridResults[1].Coverage > ranked.GridResults[0].Coverage);
        var home = ranked.Pipeline.Version.Config.Surface("home");
        Assert.Contains(ranked.GridResults, r => r.MmrLambda == home.MmrLambda && r.ExplorationShare == home.ExplorationShare);
        Assert.True(result.Ndcg > 0.46, $"ranked pipeline ndcg {result.Ndcg:F4}");
    }

    /// <summary>
    /// The gate serves the trained ranker only when it beats rank fusion on its own validation rows, as `recsys train`
    /// ships it. Measured: on the random split the GBDT (0.2926) does not beat fusion (0.2937), so rank fusion serves;
    /// on the temporal split (each user's last 10 held out, the ranker labelled the same way) it does by far (0.1682
    /// against 0.1281), so the GBDT serves.
    /// </summary>
    [Theory]
    [InlineData("random")]
    [InlineData("temporal")]
    public void The_ranker_gate_serves_the_trained_ranker_only_when_it_beats_rank_fusion_on_validation(string protocol)
    {
        var all = MovieLens100KLoader.Load(Datasets.MovieLens100K());
        bool temporal = protocol == "temporal";
        var split = temporal ? Splitter.TemporalLastN(all, 10) : Splitter.RandomPerUser(all, 0.75, 42);
        var train = new TrainingData(split.Train);
        var settings = new ModelSettings();
        if (temporal)
            settings = settings with { Ranker = settings.Ranker with { LabelSplit = set => Splitter.TemporalLastN(set, 10) } };

        using var gated = new PipelineRecommender(settings, ranker: RankerKind.Gbdt);
        gated.Fit(train);
        output.WriteLine($"{protocol}: ranker {gated.Ranker!.ValidationNdcg:F4}, fusion {gated.FusionValidationNdcg:F4}, served {gated.Pipeline.Version.Ranker.Name}");
        Assert.InRange(gated.FusionValidationNdcg, 0.05, 1);
        Assert.Equal(gated.Ranker.ValidationNdcg > gated.FusionValidationNdcg, gated.RankerServed);
        Assert.Equal(gated.RankerServed ? "gbdt" : "rrf", gated.Pipeline.Version.Ranker.Name);
        if (temporal)
            Assert.True(gated.RankerServed, "the GBDT leads rank fusion by 0.04 on the temporal validation rows");
    }

    /// <summary>
    /// LeastShown exploration over the replayed traffic: one slot at the end of the page, from the user's next 60
    /// candidates, to the one shown least so far. Measured here: coverage 0.19 -> 0.33 for 0.006 of NDCG. The replay
    /// (every user once, in user order, impressions counted) makes the answers independent of the scoring threads.
    /// </summary>
    [Fact]
    public void LeastShown_exploration_widens_coverage_for_little_ndcg_and_evaluates_the_same_on_any_threads()
    {
        var (train, test) = StandardSplit();

        using var plain = new PipelineRecommender(config: m => Plain(PipelineDefaults.Config(m)));
        plain.Fit(train);
        var plainResult = Evaluator.Evaluate(plain, train, test, new EvaluationOptions { K = 10, MaxDegreeOfParallelism = 2 });

        using var explored = new PipelineRecommender(config: m => Surface(Plain(PipelineDefaults.Config(m)), s => s with
        {
            ExplorationShare = 0.1f, ExplorationFirstPosition = 8, ExplorationPick = ExplorationPick.LeastShown, ExplorationPool = 60,
        }));
        explored.Fit(train);
        var one = Evaluator.Evaluate(explored, train, test, new EvaluationOptions { K = 10, MaxDegreeOfParallelism = 1 });
        var two = Evaluator.Evaluate(explored, train, test, new EvaluationOptions { K = 10, MaxDegreeOfParallelism = 2 });

        foreach (var r in new[] { plainResult, one })
            output.WriteLine($"{r.Model,-10} ndcg {r.Ndcg:F4} coverage {r.Coverage:F3} ({r.Parameters})");
        Assert.Equal(one.Ndcg, two.Ndcg);
        Assert.Equal(one.Coverage, two.Coverage);
        Assert.True(one.Coverage > plainResult.Coverage + 0.08, $"coverage {one.Coverage:F3} explored, {plainResult.Coverage:F3} not");
        Assert.True(one.Ndcg > plainResult.Ndcg - 0.015, $"ndcg {one.Ndcg:F4} explored, {plainResult.Ndcg:F4} not");
    }

    /// <summary>MovieLens 100K, the standard protocol: random 75/25 per user, seed 42.</summary>
    private static (TrainingData Train, InteractionMatrix Test) StandardSplit()
    {
        var split = Splitter.RandomPerUser(MovieLens100KLoader.Load(Datasets.MovieLens100K()), 0.75, 42);
        return (new TrainingData(split.Train), InteractionMatrix.FromSet(split.Test, binary: true));
    }

    private static PipelineConfig Surface(PipelineConfig config, Func<SurfaceConfig, SurfaceConfig> change) =>
        config with { Surfaces = [.. config.Surfaces.Select(s => s.Name == "home" ? change(s) : s)] };

    private static PipelineConfig Plain(PipelineConfig config) => config with
    {
        Surfaces = [.. config.Surfaces.Select(s => s.Name == "home" ? s with { MmrLambda = 1, CategoryCap = 0, ExplorationShare = 0 } : s)],
    };
}
