using System.Numerics.Tensors;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// Trains a <see cref="TwoTowerModel"/>: minibatches of (user, item) training pairs, in-batch sampled softmax
/// (<see cref="TwoTowerKernels.InBatchSoftmax"/>: each pair's item is the other users' negative) with temperature and
/// optional log q correction, Adam over the one parameter vector, early stopping on validation recall@K.
/// <code>
///  training part --random per user (ValidationFraction)--> inner part + validation part
///    epochs on the inner part; after each: recall@K of the validation users (their inner history -> user tower, every
///    item -> item tower, inner items left out); stop after Patience epochs without a better one
///  RefitOnAll: the same seed, the best epoch count, on the whole training part (else the best epoch's weights)
///  item vectors and user vectors from the whole training part
/// </code>
/// A pair's user side pools the user's MaxHistory most recent items other than the pair's item (leave one out: the
/// tower must not learn to find items already in the history). With probability IdDropout the item side gets no id
/// embedding, so the item tower learns to place an item from content and metadata alone (new items).
/// Single-threaded and seeded: the same data and options give the same parameters, bit for bit.
/// </summary>
public static class TwoTowerTrainer
{
    internal static TwoTowerTrainingResult Train(TwoTowerModel model, TrainingData data, TwoTowerFeatures features, float[] contentRows)
    {
        TwoTowerOptions o = model.Options;
        var full = new TwoTowerTrainingSet(data, features, contentRows);
        if (full.PairUsers.Length < 2)
            throw new ArgumentException($"two-tower training needs at least 2 interactions, the data has {full.PairUsers.Length}", nameof(data));
        var recalls = new List<double>();
        var losses = new List<double>();
        int bestEpoch = o.MaxEpochs;
        double bestRecall = double.NaN;
        if (o.ValidationFraction > 0)
        {
            DataSplit split = Splitter.RandomPerUser(data.Events, 1 - o.ValidationFraction, o.Seed ^ 0x7707_0E85_A11DUL);
            var inner = new TwoTowerTrainingSet(new TrainingData(split.Train, data.Binary), features, contentRows);
            InteractionMatrix validation = InteractionMatrix.FromSet(split.Test, binary: true);
            model.Initialize(features, data.ItemCount, data.UserCount);
            var run = new Run(model, inner);
            float[] best = (float[])model.Parameters.Clone();
            bestRecall = double.NegativeInfinity;
            bestEpoch = 0;
            for (int epoch = 1; epoch <= o.MaxEpochs; epoch++)
            {
                losses.Add(run.Epoch());
                double recall = ValidationRecall(model, inner, validation, o.RecallK);
                recalls.Add(recall);
                o.Log?.Invoke($"twotower epoch {epoch}: loss {losses[^1]:F4}, validation recall@{o.RecallK} {recall:F4}");
                if (recall > bestRecall)
                {
                    (bestRecall, bestEpoch) = (recall, epoch);
                    model.Parameters.CopyTo(best, 0);
                }
                else if (epoch - bestEpoch >= o.Patience)
                {
                    break;
                }
            }
            if (!o.RefitOnAll)
            {
                best.CopyTo(model.Parameters, 0);
                model.Finish(full);
                return new TwoTowerTrainingResult(bestEpoch, bestRecall, recalls, losses, bestEpoch);
            }
        }
        model.Initialize(features, data.ItemCount, data.UserCount);
        var final = new Run(model, full);
        for (int epoch = 1; epoch <= bestEpoch; epoch++)
        {
            double loss = final.Epoch();
            o.Log?.Invoke($"twotower refit epoch {epoch}/{bestEpoch}: loss {loss:F4}");
        }
        model.Finish(full);
        return new TwoTowerTrainingResult(bestEpoch, bestRecall, recalls, losses, bestEpoch);
    }

    /// <summary>
    /// Mean recall@K over the users with validation items: the user tower on their <paramref name="set"/> history, every
    /// item through the item tower, the user's <paramref name="set"/> items left out.
    /// </summary>
    internal static double ValidationRecall(TwoTowerModel model, TwoTowerTrainingSet set, InteractionMatrix validation, int k)
    {
        int d = model.Dimension, items = set.Items;
        var users = new List<int>();
        for (int u = 0; u < validation.RowCount; u++)
        {
            if (validation.RowLength(u) > 0)
                users.Add(u);
        }
        if (users.Count == 0)
            return 0;
        var itemVectors = new float[items * d];
        model.EncodeItems(set, itemVectors);
        var userVectors = new float[users.Count * d];
        model.EncodeUsers(set, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(users), userVectors);
        var scores = new float[items];
        int take = Math.Min(k, items);
        var top = new int[take];
        var distances = new float[take];
        var ids = new long[take];
        double sum = 0;
        for (int i = 0; i < users.Count; i++)
        {
            int u = users[i];
            DotProduct.ComputeMany(userVectors.AsSpan(i * d, d), itemVectors, d, scores);
            TopItems.Exclude(scores, set.Matrix.Columns(u));
            int n = TopItems.Select(scores, top, distances, ids);
            sum += RankingMetrics.Recall(top.AsSpan(0, n), validation.Columns(u), k);
        }
        return sum / users.Count;
    }

    /// <summary>One training run's state: the shuffled pairs, the batch buffers, the optimiser.</summary>
    private sealed class Run
    {
        private readonly TwoTowerModel _model;
        private readonly TwoTowerTrainingSet _set;
        private readonly TwoTowerOptions _o;
        private readonly AdamOptimizer _adam;
        private readonly float[] _gradients;
        private readonly int[] _order;
        private readonly TowerScratch _userScratch;
        private readonly TowerScratch _itemScratch;
        private readonly float[] _userRows, _itemRows, _userVectors, _itemVectors, _userGradient, _itemGradient, _logits, _logQ;
        private readonly float[] _gradientA, _gradientB, _embeddingGradient, _column;
        private readonly long[] _userIds, _itemIds;
        private readonly int[] _batchItems;
        private SplitMix64 _rng;

        public Run(TwoTowerModel model, TwoTowerTrainingSet set)
        {
            _model = model;
            _set = set;
            _o = model.Options;
            int b = _o.BatchSize, d = model.Dimension, e = _o.EmbeddingDimension;
            _adam = new AdamOptimizer(model.Parameters.Length, _o.LearningRate, _o.WeightDecay);
            _gradients = new float[model.Parameters.Length];
            _order = new int[set.PairUsers.Length];
            for (int i = 0; i < _order.Length; i++)
                _order[i] = i;
            _userScratch = new TowerScratch(model.UserTower, b);
            _itemScratch = new TowerScratch(model.ItemTower, b);
            _userRows = new float[b * model.UserTower.Features];
            _itemRows = new float[b * model.ItemTower.Features];
            _userIds = new long[b * model.UserTower.IdSlots];
            _itemIds = new long[b];
            _batchItems = new int[b];
            _logQ = _o.LogQCorrection ? new float[b] : [];
            _userVectors = new float[b * d];
            _itemVectors = new float[b * d];
            _userGradient = new float[b * d];
            _itemGradient = new float[b * d];
            _logits = new float[b * b];
            int widest = Math.Max(model.UserTower.Widest, model.ItemTower.Widest);
            _gradientA = new float[widest * b];
            _gradientB = new float[widest * b];
            _embeddingGradient = new float[e * b];
            _column = new float[e];
            _rng = new SplitMix64(_o.Seed ^ 0x2_70_3E5UL);
        }

        /// <summary>One pass over the shuffled pairs; returns the mean batch loss.</summary>
        public double Epoch()
        {
            for (int i = _order.Length - 1; i > 0; i--)
            {
                int j = (int)(_rng.Next() % (ulong)(i + 1));
                (_order[i], _order[j]) = (_order[j], _order[i]);
            }
            double loss = 0;
            int batches = 0;
            for (int start = 0; start + 2 <= _order.Length; start += _o.BatchSize)
            {
                int n = Math.Min(_o.BatchSize, _order.Length - start);
                if (n < 2)
                    break;
                loss += Step(_order.AsSpan(start, n));
                batches++;
            }
            return loss / Math.Max(batches, 1);
        }

        private double Step(ReadOnlySpan<int> pairs)
        {
            int n = pairs.Length, d = _model.Dimension;
            TowerLayout user = _model.UserTower, item = _model.ItemTower;
            int fu = user.Features, fi = item.Features, h = user.IdSlots;
            long pad = _model.PaddingId;
            ulong dropout = (ulong)(_o.IdDropout * (1UL << 53));
            for (int r = 0; r < n; r++)
            {
                int u = _set.PairUsers[pairs[r]], i = _set.PairItems[pairs[r]];
                Span<float> row = _userRows.AsSpan(r * fu, fu);
                _set.UserRows.AsSpan(u * fu, fu).CopyTo(row);
                int length = _model.WriteHistory(_set.Recent(u), _userIds.AsSpan(r * h, h), skip: i);
                row[0] = _set.Features.Activity(length);
                _set.ItemRows.AsSpan(i * fi, fi).CopyTo(_itemRows.AsSpan(r * fi, fi));
                _itemIds[r] = (_rng.Next() >> 11) < dropout ? pad : i;
                _batchItems[r] = i;
                if (_logQ.Length > 0)
                    _logQ[r] = _set.LogQ[i];
            }
            _model.Forward(user, _userRows, _userIds, n, _userScratch, _userVectors);
            _model.Forward(item, _itemRows, _itemIds, n, _itemScratch, _itemVectors);
            double loss = TwoTowerKernels.InBatchSoftmax(_userVectors.AsSpan(0, n * d), _itemVectors.AsSpan(0, n * d), n, d, _o.Temperature,
                _logQ.Length > 0 ? _logQ.AsSpan(0, n) : default, _batchItems.AsSpan(0, n), _logits, _userGradient, _itemGradient);
            _gradients.AsSpan().Clear();
            Backward(user, _userScratch, n, _userGradient, _userIds);
            Backward(item, _itemScratch, n, _itemGradient, _itemIds);
            _adam.Step(_model.Parameters, _gradients);
            return loss;
        }

        /// <summary>
        /// Back through one tower: the normalisation, the dense layers (weights and biases), then the pooled embeddings:
        /// each pooled id's row gets its row's embedding gradient / the pool's count. The padding row gets nothing.
        /// </summary>
        private void Backward(TowerLayout tower, TowerScratch s, int n, float[] unitGradient, long[] ids)
        {
            int d = tower.Dimension, f = tower.Features, e = tower.EmbeddingDimension, slots = tower.IdSlots;
            float[] p = _model.Parameters;
            Span<float> dz = unitGradient.AsSpan(0, n * d);
            TwoTowerKernels.NormalizeBackward(s.Output.AsSpan(0, n * d), s.Norms, dz, d);
            Span<float> current = _gradientA, next = _gradientB;
            TwoTowerKernels.Transpose(dz, n, d, current);
            for (int l = tower.LayerCount - 1; l >= 0; l--)
            {
                int inputs = tower.LayerSizes[l], outputs = tower.LayerSizes[l + 1];
                ReadOnlySpan<float> weights = p.AsSpan(tower.WeightOffset(l), tower.WeightCount(l));
                ReadOnlySpan<float> output = current[..(outputs * n)];
                MlpKernels.DenseBackward(weights, s.Layers[l].AsSpan(0, inputs * n), output, n,
                    _gradients.AsSpan(tower.WeightOffset(l), tower.WeightCount(l)), _gradients.AsSpan(tower.BiasOffset(l), outputs),
                    l == 0 ? Span<float>.Empty : next[..(inputs * n)]);
                if (l == 0)
                    MlpKernels.DenseInputGradient(weights, output, n, _embeddingGradient.AsSpan(0, e * n), firstInput: f);
                Span<float> t = current;
                current = next;
                next = t;
            }
            long pad = _model.PaddingId;
            Span<float> column = _column;
            for (int r = 0; r < n; r++)
            {
                int count = s.Counts[r];
                if (count == 0)
                    continue;
                for (int j = 0; j < e; j++)
                    column[j] = _embeddingGradient[j * n + r];
                TensorPrimitives.Divide(column, count, column);
                foreach (long id in ids.AsSpan(r * slots, slots))
                {
                    if (id == pad)
                        continue;
                    Span<float> g = _gradients.AsSpan((int)id * e, e);
                    TensorPrimitives.Add(g, column, g);
                }
            }
        }
    }
}
