using System.Diagnostics;
using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Evaluation;

/// <summary>
/// Offline evaluation of a trained model on held-out events: for every user with test items, score all
/// items, drop the user's training items, take the top K, and average the per-user metrics. Users are
/// scored in parallel; per-user values are summed in user order, so results do not depend on threads.
/// </summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(IRecommender model, TrainingData train, InteractionMatrix test, EvaluationOptions? options = null,
        double trainSeconds = 0)
    {
        options ??= new EvaluationOptions();
        int k = options.K;
        Debug.Assert(k >= 1, "EvaluationOptions checks K");
        if (test.RowCount != train.UserCount || test.ColumnCount != train.ItemCount)
            throw new ArgumentException("train and test must share the id maps");
        var clock = Stopwatch.StartNew();
        int users = train.UserCount, items = train.ItemCount;
        InteractionMatrix trainMatrix = train.Matrix;

        var userCounts = new int[items];
        foreach (int i in trainMatrix.ColumnIndex)
            userCounts[i]++;
        int trainUsers = 0;
        for (int u = 0; u < users; u++)
        {
            if (trainMatrix.RowLength(u) > 0)
                trainUsers++;
        }

        const int MetricCount = 9;
        var perUser = new double[users * MetricCount];
        var lists = new int[users * k];
        var listLength = new int[users];
        ItemCatalog? catalog = train.Catalog;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        Parallel.For(0, users, parallel, () => (Scores: new float[items], Dist: new float[k], Ids: new long[k]), (u, _, s) =>
        {
            ReadOnlySpan<int> relevant = test.Columns(u);
            if (relevant.IsEmpty)
                return s;
            model.Score(u, s.Scores);
            TopItems.Exclude(s.Scores, trainMatrix.Columns(u));
            Span<int> list = lists.AsSpan(u * k, k);
            int n = TopItems.Select(s.Scores, list, s.Dist, s.Ids);
            listLength[u] = n;
            list = list[..n];
            Span<double> m = perUser.AsSpan(u * MetricCount, MetricCount);
            m[0] = RankingMetrics.Ndcg(list, relevant, k);
            m[1] = RankingMetrics.Recall(list, relevant, k);
            m[2] = RankingMetrics.Precision(list, relevant, k);
            m[3] = RankingMetrics.AveragePrecision(list, relevant, k);
            m[4] = RankingMetrics.ReciprocalRank(list, relevant, k);
            m[5] = RankingMetrics.HitRate(list, relevant, k);
            m[6] = catalog is null ? 0 : ListMetrics.CategoryDiversity(list, catalog);
            m[7] = options.Embedding is null ? 0 : ListMetrics.EmbeddingDiversity(list, options.Embedding, options.EmbeddingDimension);
            m[8] = ListMetrics.Novelty(list, userCounts, Math.Max(trainUsers, 1));
            return s;
        }, _ => { });

        var sums = new double[MetricCount];
        var covered = new bool[items];
        int evaluated = 0;
        for (int u = 0; u < users; u++)
        {
            if (test.RowLength(u) == 0)
                continue;
            evaluated++;
            for (int m = 0; m < MetricCount; m++)
                sums[m] += perUser[u * MetricCount + m];
            foreach (int i in lists.AsSpan(u * k, listLength[u]))
                covered[i] = true;
        }
        double mean(int m) => evaluated == 0 ? 0 : sums[m] / evaluated;
        return new EvaluationResult
        {
            Model = model.Name,
            K = k,
            Users = evaluated,
            Ndcg = mean(0),
            Recall = mean(1),
            Precision = mean(2),
            Map = mean(3),
            Mrr = mean(4),
            HitRate = mean(5),
            Coverage = items == 0 ? 0 : covered.Count(c => c) / (double)items,
            Diversity = catalog is null ? double.NaN : mean(6),
            EmbeddingDiversity = options.Embedding is null ? double.NaN : mean(7),
            Novelty = mean(8),
            TrainSeconds = trainSeconds,
            EvalSeconds = clock.Elapsed.TotalSeconds,
            Parameters = model.Describe(),
        };
    }
}
