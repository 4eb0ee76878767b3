namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>
/// A trained GBDT: a sum of regression trees over a fixed feature order, scored by a flat-array tree walk.
/// </summary>
/// <remarks>
/// <code>
///   LightGBM JSON dump ──FromLightGbmJson──┐
///   our model file ───────Load─────────────┼──> flat node arrays (pre-order, all trees end to end)
///                                          │      ├─> TreeWalkNode[]  (16-byte nodes)  ──> Score: [rows x features] -> scores
///                                          │      └─> ToOnnxAttributes ──> ONNX-ML TreeEnsembleRegressor
///   Save <─────────────────────────────────┘
/// </code>
/// Within each tree nodes are numbered in pre-order, so a split's left child is the next node and only the
/// right child is stored. Leaves have feature -1. Splits keep LightGBM's own double threshold and
/// decision_type byte (default-left bit, missing type) so the model file and the reference walk are exactly
/// LightGBM's; the fast walk uses a float threshold derived from them that decides every float input the same
/// way (see <see cref="FloatThreshold"/>). Numerical splits only: a categorical split is refused on load.
/// </remarks>
public sealed partial class TreeEnsemble
{
    private readonly int[] _treeStarts;
    private readonly int[] _features;
    private readonly double[] _thresholds;
    private readonly int[] _right;
    private readonly byte[] _decisions;
    private readonly double[] _values;
    private readonly TreeWalkNode[] _walk;

    /// <summary>Checks the arrays describe <paramref name="treeStarts"/>.Length - 1 well-formed trees; throws <see cref="InvalidDataException"/> naming the first fault, prefixed by <paramref name="source"/>.</summary>
    internal TreeEnsemble(int featureCount, int[] treeStarts, int[] features, double[] thresholds, int[] right, byte[] decisions, double[] values, string source)
    {
        string? fault = StructureFault(featureCount, treeStarts, features, thresholds, right, decisions, values);
        if (fault is not null)
            throw new InvalidDataException($"{source}: {fault}");
        FeatureCount = featureCount;
        _treeStarts = treeStarts;
        _features = features;
        _thresholds = thresholds;
        _right = right;
        _decisions = decisions;
        _values = values;
        _walk = new TreeWalkNode[features.Length];
        for (int i = 0; i < _walk.Length; i++)
        {
            _walk[i] = features[i] < 0
                ? new TreeWalkNode(-1, 0f, 0, 0)
                : new TreeWalkNode(features[i], FloatThreshold(thresholds[i]), right[i], WalkFlags(thresholds[i], decisions[i]));
        }
    }

    /// <summary>
    /// A copy of this model that adds <paramref name="weight"/> x column <paramref name="feature"/> to the trees' sum:
    /// the base margin a residual model was boosted from (LightGBM's init_score), which LightGBM's own model leaves out.
    /// The trees are shared, not copied.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column outside the rows, or a weight that is not finite.</exception>
    public TreeEnsemble WithBase(int feature, float weight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(feature);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(feature, FeatureCount);
        if (!float.IsFinite(weight))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "the base weight must be finite");
        return new TreeEnsemble(this, feature, weight);
    }

    /// <summary>The trees alone (the corrections a residual model learned), sharing this model's arrays.</summary>
    public TreeEnsemble WithoutBase() => HasBase ? new TreeEnsemble(this, -1, 0f) : this;

    /// <summary>The column whose value (times <see cref="BaseWeight"/>) is added to the trees' sum; -1 = none.</summary>
    public int BaseFeature { get; } = -1;

    /// <summary>The weight of <see cref="BaseFeature"/> in the score; 0 when there is no base.</summary>
    public float BaseWeight { get; }

    public bool HasBase => BaseFeature >= 0;

    private TreeEnsemble(TreeEnsemble trees, int baseFeature, float baseWeight)
    {
        FeatureCount = trees.FeatureCount;
        _treeStarts = trees._treeStarts;
        _features = trees._features;
        _thresholds = trees._thresholds;
        _right = trees._right;
        _decisions = trees._decisions;
        _values = trees._values;
        _walk = trees._walk;
        BaseFeature = baseFeature;
        BaseWeight = baseWeight;
    }

    /// <summary>The width of a row: every split reads a column below this.</summary>
    public int FeatureCount { get; }

    public int TreeCount => _treeStarts.Length - 1;

    /// <summary>Splits and leaves of all trees.</summary>
    public int NodeCount => _features.Length;

    internal ReadOnlySpan<int> TreeStarts => _treeStarts;

    internal ReadOnlySpan<int> SplitFeatures => _features;

    internal ReadOnlySpan<double> Thresholds => _thresholds;

    internal ReadOnlySpan<int> RightChildren => _right;

    internal ReadOnlySpan<byte> DecisionTypes => _decisions;

    internal ReadOnlySpan<double> LeafValues => _values;

    /// <summary>
    /// Scores each row of <paramref name="matrix"/> ([scores.Length x <see cref="FeatureCount"/>], row-major) into
    /// <paramref name="scores"/>: the sum of the leaf values the row reaches, LightGBM's raw score. NaN is a missing
    /// value and follows each split's LightGBM rule. With a base (<see cref="WithBase"/>) each score is then
    /// float(trees) + <see cref="BaseWeight"/> x the row's <see cref="BaseFeature"/>, in float, the order of the ONNX
    /// graph's Mul and Add. Allocates nothing.
    /// </summary>
    public void Score(ReadOnlySpan<float> matrix, Span<float> scores)
    {
        if (matrix.Length != (long)scores.Length * FeatureCount)
            throw new ArgumentException($"{matrix.Length} values is not {scores.Length} rows x {FeatureCount} features", nameof(matrix));
        TreeWalk.Score(_walk, _values, _treeStarts, matrix, FeatureCount, scores);
        if (HasBase)
            TreeWalk.AddBase(matrix, FeatureCount, BaseFeature, BaseWeight, scores);
    }

    /// <summary>
    /// The float threshold T such that, for every float x, x &lt;= T exactly when LightGBM sends x left past its
    /// double threshold <paramref name="threshold"/>. LightGBM reads |x| &lt;= 1e-35 as 0 before comparing, which
    /// moves the cut only when the threshold lies inside that band.
    /// </summary>
    internal static float FloatThreshold(double threshold)
    {
        const double z = TreeWalk.ZeroThreshold;
        if (threshold >= 0 && threshold < z)
            return (float)z; // the band (read as 0 <= threshold) goes left with everything below it
        if (threshold >= -z && threshold < 0)
            return MathF.BitDecrement((float)-z); // the band goes right: left means x < -1e-35
        float t = (float)threshold;
        return t > threshold ? MathF.BitDecrement(t) : t; // the largest float not above the threshold
    }

    private static int WalkFlags(double threshold, byte decision)
    {
        bool defaultLeft = LightGbmDecision.DefaultLeft(decision);
        return LightGbmDecision.MissingType(decision) switch
        {
            LightGbmMissingType.NaN => defaultLeft ? TreeWalkNode.NanLeft : 0,
            LightGbmMissingType.Zero => TreeWalkNode.ZeroIsMissing | (defaultLeft ? TreeWalkNode.NanLeft | TreeWalkNode.DefaultLeft : 0),
            _ => 0 <= threshold ? TreeWalkNode.NanLeft : 0, // NaN is read as 0 and compared
        };
    }

    /// <summary>Null when the arrays form valid pre-order trees, else what is wrong (tree and node named).</summary>
    private static string? StructureFault(int featureCount, int[] treeStarts, int[] features, double[] thresholds, int[] right, byte[] decisions, double[] values)
    {
        int nodes = features.Length;
        if (featureCount < 1)
            return $"feature count {featureCount} (must be at least 1)";
        if (treeStarts.Length < 2)
            return "no trees";
        if (thresholds.Length != nodes || right.Length != nodes || decisions.Length != nodes || values.Length != nodes)
            return "node arrays of different lengths";
        if (treeStarts[0] != 0 || treeStarts[^1] != nodes)
            return $"tree offsets run from {treeStarts[0]} to {treeStarts[^1]}, not 0 to {nodes}";
        var pending = new Stack<int>();
        for (int t = 0; t + 1 < treeStarts.Length; t++)
        {
            int start = treeStarts[t], end = treeStarts[t + 1];
            if (end <= start)
                return $"tree {t} has no nodes";
            // A pre-order tree: walking it from the root with a stack of pending right children visits
            // start, start + 1, ..., end - 1 in order, each exactly once.
            int expected = start;
            pending.Clear();
            pending.Push(start);
            while (pending.Count > 0)
            {
                int i = pending.Pop();
                if (i != expected)
                    return $"tree {t}, node {i - start}: not in pre-order (expected node {expected - start})";
                expected++;
                if (features[i] < 0)
                {
                    if (features[i] != -1)
                        return $"tree {t}, node {i - start}: feature {features[i]}";
                    if (!double.IsFinite(values[i]))
                        return $"tree {t}, node {i - start}: leaf value {values[i]}";
                    continue;
                }
                if (features[i] >= featureCount)
                    return $"tree {t}, node {i - start}: splits on feature {features[i]}, but the model has {featureCount} features";
                if (double.IsNaN(thresholds[i]))
                    return $"tree {t}, node {i - start}: threshold is NaN";
                if (!LightGbmDecision.IsValid(decisions[i]))
                    return $"tree {t}, node {i - start}: decision type {decisions[i]} (categorical splits are not supported)";
                if (right[i] <= i + 1 || right[i] >= end)
                    return $"tree {t}, node {i - start}: right child {right[i] - start} outside the tree's nodes after its left child";
                pending.Push(right[i]);
                pending.Push(i + 1);
            }
            if (expected != end)
                return $"tree {t}: {end - expected} nodes not reached from the root";
        }
        return null;
    }
}
