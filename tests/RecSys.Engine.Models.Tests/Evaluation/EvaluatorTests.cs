using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;

namespace RecSys.Engine.Models.Tests.Evaluation;

public sealed class EvaluatorTests
{
    /// <summary>Scores item i as a fixed value, whatever the user: a model whose lists the test can predict.</summary>
    private sealed class FixedScores(float[] scores) : IRecommender
    {
        public string Name => "fixed";
        public void Fit(TrainingData data) { }
        public void Score(int user, Span<float> s) => scores.CopyTo(s);
        public string Describe() => "";
    }

    [Fact]
    public void TrainingItemsAreNeverRecommended_AndMetricsAverageOverTestUsers()
    {
        // Items 0..4, scores descending by id. User a trained on item 0 (the best), tests {1, 4};
        // user b trained on 1, tests {2}; user c has no test items (not evaluated).
        var builder = new InteractionSetBuilder();
        for (int i = 0; i < 5; i++)
            builder.Items.GetOrAdd(i.ToString());
        foreach (var (u, i) in new[] { ("a", "0"), ("b", "1"), ("c", "0"), ("a", "1"), ("a", "4"), ("b", "2"), ("x", "3") })
            builder.Add(u, i, 1, 0);
        var set = builder.Build();
        // Train = first 3 events plus x's; test = the rest but x's.
        var train = new TrainingData(set.Subset([0, 1, 2, 6]));
        var test = InteractionMatrix.FromSet(set.Subset([3, 4, 5]), binary: true);
        var model = new FixedScores([5, 4, 3, 2, 1]);
        var r = Evaluator.Evaluate(model, train, test, new EvaluationOptions { K = 2 });
        // a: top-2 excluding item 0 = [1, 2]; relevant {1, 4}: precision 1/2, recall 1/2, ndcg 1/(1 + 1/log2 3).
        // b: top-2 excluding item 1 = [0, 2]; relevant {2}: precision 1/2, recall 1, ndcg (1/log2 3) / 1.
        Assert.Equal(2, r.Users);
        Assert.Equal(0.5, r.Precision, 12);
        Assert.Equal(0.75, r.Recall, 12);
        double ndcgA = 1 / (1 + 1 / Math.Log2(3));
        double ndcgB = 1 / Math.Log2(3);
        Assert.Equal((ndcgA + ndcgB) / 2, r.Ndcg, 12);
        Assert.Equal((1.0 + 0.5) / 2, r.Mrr, 12);
        Assert.Equal(1.0, r.HitRate, 12);
        // Recommended items {0, 1, 2} of 5.
        Assert.Equal(3 / 5.0, r.Coverage, 12);
    }
}
