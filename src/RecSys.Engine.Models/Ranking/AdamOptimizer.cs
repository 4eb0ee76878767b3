namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with decoupled weight decay (AdamW) over one flat parameter vector: the optimiser of
/// the MLP ranker, and of any model that keeps its parameters in one array (the two-tower towers).
/// </summary>
public sealed class AdamOptimizer
{
    private readonly float[] _m;
    private readonly float[] _v;
    private long _step;

    public AdamOptimizer(int parameters, float learningRate = 1e-3f, float weightDecay = 0f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    {
        if (!(learningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"learning rate must be > 0, got {learningRate}");
        if (!(weightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be >= 0, got {weightDecay}");
        _m = new float[parameters];
        _v = new float[parameters];
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public float LearningRate { get; set; }

    public float WeightDecay { get; }

    public float Beta1 { get; }

    public float Beta2 { get; }

    public float Epsilon { get; }

    /// <summary>One update of <paramref name="parameters"/> from <paramref name="gradients"/> (same length as at construction).</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != _m.Length || gradients.Length != _m.Length)
            throw new ArgumentException($"the optimiser was built for {_m.Length} parameters");
        _step++;
        float c1 = 1f / (1f - MathF.Pow(Beta1, _step)), c2 = 1f / (1f - MathF.Pow(Beta2, _step));
        float decay = 1f - LearningRate * WeightDecay;
        for (int i = 0; i < parameters.Length; i++)
        {
            float g = gradients[i];
            float m = _m[i] = Beta1 * _m[i] + (1f - Beta1) * g;
            float v = _v[i] = Beta2 * _v[i] + (1f - Beta2) * g * g;
            parameters[i] = parameters[i] * decay - LearningRate * (m * c1) / (MathF.Sqrt(v * c2) + Epsilon);
        }
    }
}
