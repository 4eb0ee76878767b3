using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using RecSys.Engine.Core.Randomness;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// Trains an <see cref="MlpRanker"/> with a listwise loss (softmax cross-entropy over each query's candidates: the
/// user's held-out items share the target mass, ListNet top-1) by minibatch Adam, queries shuffled per epoch,
/// early-stopped on the validation queries' NDCG@K (the test protocol, <see cref="RankingDatasetMetrics"/>).
/// Single-threaded and seeded: the same data and options give the same weights, bit for bit.
/// <code>
///  per query:  s = mlp(x)  ->  p = softmax(s)  ->  loss = -sum_i t_i log p_i,  t = y / sum(y)  ->  ds = p - t
/// </code>
/// </summary>
public static class MlpTrainer
{
    public static MlpTrainingResult Train(RankingDataset train, RankingDataset validation, MlpTrainingOptions? options = null, Action<string>? log = null)
    {
        options ??= new MlpTrainingOptions();
        options.Validate();
        RankingFeatureSchema schema = train.Schema;
        if (validation.Schema.FirstDifference(schema) is { } diff)
            throw new ArgumentException($"train and validation schemas differ: {diff}", nameof(validation));
        int f = schema.Count;
        var (mean, invStd) = MlpRanker.Standardization(train.Features, f);
        var model = new MlpRanker(schema, options.Hidden, mean, invStd, seed: options.Seed);
        int layers = model.LayerCount;
        IReadOnlyList<int> sizes = model.LayerSizes;

        // Feature-major, standardised copy of every training query, made once.
        var xt = new float[train.Rows * f];
        int maxN = 1;
        var queries = new List<int>();
        for (int q = 0; q < train.Queries; q++)
        {
            int n = train.QueryLength(q);
            MlpKernels.TransposeStandardize(train.QueryFeatures(q), n, mean, invStd, xt.AsSpan(train.QueryStart[q] * f, n * f));
            maxN = Math.Max(maxN, n);
            if (TensorPrimitives.Sum(train.QueryLabels(q)) > 0)
                queries.Add(q); // a query without a held-out hit carries no listwise signal
        }
        if (queries.Count == 0)
            throw new ArgumentException("no training query has a positive label", nameof(train));

        var activations = new float[layers + 1][];
        for (int l = 1; l <= layers; l++)
            activations[l] = new float[sizes[l] * maxN];
        int widest = sizes.Max();
        var gradA = new float[widest * maxN];
        var gradB = new float[widest * maxN];
        var gradients = new float[model.Parameters.Length];
        var adam = new AdamOptimizer(model.Parameters.Length, options.LearningRate, options.WeightDecay);
        var rng = new SplitMix64(options.Seed ^ 0x5EED_0F_7A1AUL);
        int[] shuffled = [.. queries];
        var order = new int[maxN];
        var rankOf = new int[maxN];
        var validationScores = new float[validation.Rows];
        var scratch = new MlpScratch(model);
        var history = new List<double>();
        float[] best = (float[])model.Parameters.Clone();
        double bestNdcg = double.NegativeInfinity;
        int bestEpoch = 0;

        for (int epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            for (int i = shuffled.Length - 1; i > 0; i--)
            {
                int j = (int)(rng.Next() % (ulong)(i + 1));
                (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
            }
            double loss = 0;
            for (int b0 = 0; b0 < shuffled.Length; b0 += options.QueriesPerBatch)
            {
                int batch = Math.Min(options.QueriesPerBatch, shuffled.Length - b0);
                gradients.AsSpan().Clear();
                for (int bq = 0; bq < batch; bq++)
                {
                    int q = shuffled[b0 + bq], n = train.QueryLength(q);
                    ReadOnlySpan<float> x = xt.AsSpan(train.QueryStart[q] * f, n * f);
                    for (int l = 0; l < layers; l++)
                    {
                        ReadOnlySpan<float> input = l == 0 ? x : activations[l].AsSpan(0, sizes[l] * n);
                        MlpKernels.DenseForward(model.Weights(l), model.Bias(l), input, n, activations[l + 1].AsSpan(0, sizes[l + 1] * n), relu: l < layers - 1);
                    }
                    loss += options.Loss == RankingLoss.LambdaRank
                        ? LambdaRankGradient(activations[layers].AsSpan(0, n), train.QueryLabels(q), gradA.AsSpan(0, n), order.AsSpan(0, n), rankOf.AsSpan(0, n), options.Truncation)
                        : SoftmaxGradient(activations[layers].AsSpan(0, n), train.QueryLabels(q), gradA.AsSpan(0, n));
                    Span<float> dz = gradA, next = gradB;
                    for (int l = layers - 1; l >= 0; l--)
                    {
                        ReadOnlySpan<float> input = l == 0 ? x : activations[l].AsSpan(0, sizes[l] * n);
                        MlpKernels.DenseBackward(model.Weights(l), input, dz[..(sizes[l + 1] * n)], n,
                            gradients.AsSpan(model.WeightOffset(l), sizes[l] * sizes[l + 1]), gradients.AsSpan(model.BiasOffset(l), sizes[l + 1]),
                            l == 0 ? Span<float>.Empty : next[..(sizes[l] * n)]);
                        Span<float> t = dz;
                        dz = next;
                        next = t;
                    }
                }
                TensorPrimitives.Multiply(gradients, 1f / batch, gradients);
                adam.Step(model.Parameters, gradients);
            }

            model.ScoreAll(validation, validationScores, scratch);
            double ndcg = RankingDatasetMetrics.MeanNdcg(validation, validationScores, options.K);
            history.Add(ndcg);
            log?.Invoke($"mlp epoch {epoch}: train loss {loss / shuffled.Length:F4}, validation ndcg@{options.K} {ndcg:F4}");
            if (ndcg > bestNdcg)
            {
                (bestNdcg, bestEpoch) = (ndcg, epoch);
                model.Parameters.CopyTo(best, 0);
            }
            else if (epoch - bestEpoch >= options.Patience)
            {
                break;
            }
        }
        best.CopyTo(model.Parameters, 0);
        return new MlpTrainingResult(model, bestEpoch, bestNdcg, history);
    }

    /// <summary>Writes dLoss/ds = softmax(s) - y / sum(y) into <paramref name="gradient"/>; returns the loss.</summary>
    internal static double SoftmaxGradient(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, Span<float> gradient)
    {
        float max = TensorPrimitives.Max(scores);
        TensorPrimitives.Subtract(scores, max, gradient);
        TensorPrimitives.Exp(gradient, gradient);
        float sum = TensorPrimitives.Sum(gradient);
        float positives = TensorPrimitives.Sum(labels);
        double loss = 0;
        for (int c = 0; c < scores.Length; c++)
        {
            float p = gradient[c] / sum;
            float t = labels[c] / positives;
            if (t > 0)
                loss -= t * Math.Log(Math.Max(p, 1e-30));
            gradient[c] = p - t;
        }
        return loss;
    }

    /// <summary>
    /// LambdaRank: for every (relevant i, irrelevant j) pair, lambda = |delta NDCG(i, j)| * sigmoid(s_j - s_i) at the
    /// current order; dLoss/ds_i -= lambda, dLoss/ds_j += lambda. Returns the NDCG-weighted pairwise logistic loss.
    /// Ranks at or past <paramref name="truncation"/> get no discount (NDCG@truncation), so pairs entirely below it are
    /// left alone. <paramref name="order"/> and <paramref name="rankOf"/> are scratch of the query's length.
    /// </summary>
    internal static double LambdaRankGradient(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, Span<float> gradient, Span<int> order, Span<int> rankOf,
        int truncation = int.MaxValue)
    {
        double discount(int rank) => rank < truncation ? 1.0 / Math.Log2(rank + 2) : 0.0;
        int n = scores.Length;
        for (int c = 0; c < n; c++)
            order[c] = c;
        // Current ranks, best first: sort the negated scores with the candidate indices along (deterministic for equal
        // input); rankOf's memory holds the keys until the ranks overwrite it.
        Span<float> keys = MemoryMarshal.Cast<int, float>(rankOf);
        TensorPrimitives.Negate(scores, keys);
        keys.Sort(order);
        for (int r = 0; r < n; r++)
            rankOf[order[r]] = r;
        int positives = 0;
        foreach (float y in labels)
        {
            if (y > 0)
                positives++;
        }
        double ideal = 0;
        for (int r = 0; r < positives; r++)
            ideal += discount(r);
        gradient.Clear();
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            if (!(labels[i] > 0))
                continue;
            double di = discount(rankOf[i]);
            for (int j = 0; j < n; j++)
            {
                if (labels[j] > 0 || (rankOf[i] >= truncation && rankOf[j] >= truncation))
                    continue;
                double delta = Math.Abs(di - discount(rankOf[j])) / ideal;
                double margin = scores[i] - scores[j];
                double rho = 1.0 / (1.0 + Math.Exp(margin));
                float lambda = (float)(delta * rho);
                gradient[i] -= lambda;
                gradient[j] += lambda;
                loss += delta * (margin > 30 ? Math.Exp(-margin) : Math.Log(1 + Math.Exp(-margin)));
            }
        }
        return loss;
    }
}
