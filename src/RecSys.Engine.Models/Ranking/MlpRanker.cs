using RecSys.Engine.Core.Randomness;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// A multilayer perceptron that scores ranking candidates: standardise each feature, dense layers with ReLU, one linear
/// output (a relevance score; higher ranks first).
/// <code>
///  x [n x F] -> (x - mean) * invStd -> Gemm+ReLU (h1) -> ... -> Gemm+ReLU (hk) -> Gemm (1) -> score [n]
/// </code>
/// Parameters live in one flat array (W1, b1, W2, b2, ..., W is [out x in] row-major) so the optimiser steps them
/// as one vector. This forward pass is the reference the ONNX export is held to (<see cref="Onnx.MlpOnnxExporter"/>).
/// </summary>
public sealed class MlpRanker
{
    private readonly int[] _sizes;
    private readonly int[] _weightOffset;
    private readonly int[] _biasOffset;

    public MlpRanker(RankingFeatureSchema schema, IReadOnlyList<int> hidden, float[] mean, float[] invStd, float[]? parameters = null, ulong seed = 42)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (hidden.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(hidden), "hidden layer sizes must be >= 1");
        if (mean.Length != schema.Count || invStd.Length != schema.Count)
            throw new ArgumentException($"mean and invStd need one value per feature ({schema.Count})");
        Schema = schema;
        _sizes = [schema.Count, .. hidden, 1];
        _weightOffset = new int[LayerCount];
        _biasOffset = new int[LayerCount];
        int offset = 0;
        for (int l = 0; l < LayerCount; l++)
        {
            _weightOffset[l] = offset;
            offset += _sizes[l] * _sizes[l + 1];
            _biasOffset[l] = offset;
            offset += _sizes[l + 1];
        }
        Mean = mean;
        InvStd = invStd;
        if (parameters is null)
        {
            Parameters = new float[offset];
            Initialize(seed);
        }
        else
        {
            if (parameters.Length != offset)
                throw new ArgumentException($"{_sizes.Length - 1} layers of sizes {string.Join("-", _sizes)} need {offset} parameters, got {parameters.Length}", nameof(parameters));
            Parameters = parameters;
        }
    }

    public RankingFeatureSchema Schema { get; }

    /// <summary>Units per layer, input first: [features, hidden..., 1].</summary>
    public IReadOnlyList<int> LayerSizes => _sizes;

    /// <summary>Dense layers (hidden layers + the output layer).</summary>
    public int LayerCount => _sizes.Length - 1;

    public float[] Parameters { get; }

    /// <summary>Per-feature mean of the training rows (subtracted first).</summary>
    public float[] Mean { get; }

    /// <summary>Per-feature 1 / standard deviation of the training rows; 0 for a constant feature (it is ignored).</summary>
    public float[] InvStd { get; }

    public int WeightOffset(int layer) => _weightOffset[layer];

    public int BiasOffset(int layer) => _biasOffset[layer];

    /// <summary>Layer <paramref name="layer"/>'s weights, [out x in] row-major.</summary>
    public ReadOnlySpan<float> Weights(int layer) => Parameters.AsSpan(_weightOffset[layer], _sizes[layer] * _sizes[layer + 1]);

    public ReadOnlySpan<float> Bias(int layer) => Parameters.AsSpan(_biasOffset[layer], _sizes[layer + 1]);

    public string Describe() => $"mlp layers={string.Join("-", _sizes)} parameters={Parameters.Length}";

    /// <summary>
    /// Scores <paramref name="n"/> candidates from their feature rows ([n x features] row-major, schema order).
    /// Allocates nothing once <paramref name="scratch"/> has seen a batch this large.
    /// </summary>
    public void Score(ReadOnlySpan<float> rows, int n, Span<float> scores, MlpScratch scratch)
    {
        int f = Schema.Count;
        if (rows.Length < n * f)
            throw new ArgumentException($"{n} candidates x {f} features need {n * f} floats, got {rows.Length}", nameof(rows));
        if (scores.Length < n)
            throw new ArgumentException($"scores holds {scores.Length}, {n} candidates", nameof(scores));
        if (n == 0)
            return;
        scratch.Ensure(n);
        Span<float> a = scratch.A, b = scratch.B;
        MlpKernels.TransposeStandardize(rows, n, Mean, InvStd, a);
        for (int l = 0; l < LayerCount; l++)
        {
            MlpKernels.DenseForward(Weights(l), Bias(l), a[..(_sizes[l] * n)], n, b[..(_sizes[l + 1] * n)], relu: l < LayerCount - 1);
            Span<float> t = a;
            a = b;
            b = t;
        }
        a[..n].CopyTo(scores);
    }

    /// <summary>Scores every row of <paramref name="data"/> (query by query, as a request would be), into <paramref name="scores"/>.</summary>
    public void ScoreAll(RankingDataset data, Span<float> scores, MlpScratch scratch)
    {
        for (int q = 0; q < data.Queries; q++)
            Score(data.QueryFeatures(q), data.QueryLength(q), scores.Slice(data.QueryStart[q], data.QueryLength(q)), scratch);
    }

    /// <summary>One score per row of <paramref name="data"/>.</summary>
    public float[] ScoreAll(RankingDataset data)
    {
        var scores = new float[data.Rows];
        ScoreAll(data, scores, new MlpScratch(this));
        return scores;
    }

    /// <summary>He-normal weights (ReLU layers), zero biases, from <paramref name="seed"/>.</summary>
    private void Initialize(ulong seed)
    {
        var rng = new SplitMix64(seed);
        for (int l = 0; l < LayerCount; l++)
        {
            float scale = MathF.Sqrt(2f / _sizes[l]);
            Span<float> w = Parameters.AsSpan(_weightOffset[l], _sizes[l] * _sizes[l + 1]);
            for (int i = 0; i < w.Length; i++)
                w[i] = (float)rng.NextGaussian() * scale;
        }
    }

    /// <summary>
    /// Mean and 1 / std of each feature over <paramref name="rows"/> ([rows x features]); a feature whose std is below
    /// <see cref="MinStd"/> is constant for the model (1 / std = 0: it is ignored).
    /// </summary>
    /// <remarks>
    /// Why the floor: the schema scales every feature to order 1, so a spread of 1e-6 is rounding, not signal. The
    /// demo's rows had user_log_history = log(1 + 14) for every user up to float noise (std 1.7e-6, 1 / std 578,438);
    /// at serving the same users have all their events, log(1 + 19), and that one input became (2.996 - 2.708) x 578,438
    /// = 166,000: every score of the request moved by a huge constant and the hidden layer left the range it was trained
    /// in. Two passes (the mean, then the squared deviations) keep an exactly constant feature at variance 0.
    /// </remarks>
    public const double MinStd = 1e-3;

    public static (float[] Mean, float[] InvStd) Standardization(ReadOnlySpan<float> rows, int features)
    {
        int n = rows.Length / features;
        var sum = new double[features];
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> row = rows.Slice(r * features, features);
            for (int k = 0; k < features; k++)
                sum[k] += row[k];
        }
        var mean = new double[features];
        for (int k = 0; k < features; k++)
            mean[k] = n == 0 ? 0 : sum[k] / n;
        var squares = new double[features];
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> row = rows.Slice(r * features, features);
            for (int k = 0; k < features; k++)
            {
                double d = row[k] - mean[k];
                squares[k] += d * d;
            }
        }
        var meanOut = new float[features];
        var inv = new float[features];
        for (int k = 0; k < features; k++)
        {
            double variance = n == 0 ? 0 : squares[k] / n;
            meanOut[k] = (float)mean[k];
            inv[k] = variance > MinStd * MinStd ? (float)(1 / Math.Sqrt(variance)) : 0f;
        }
        return (meanOut, inv);
    }
}
