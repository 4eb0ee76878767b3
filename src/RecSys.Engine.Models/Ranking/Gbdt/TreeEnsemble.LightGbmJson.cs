using System.Text.Json;

namespace RecSys.Engine.Models.Ranking.Gbdt;

public sealed partial class TreeEnsemble
{
    /// <summary>
    /// Reads the trees of LightGBM's JSON model dump (LGBM_BoosterDumpModel). Supports what the GBDT ranker
    /// trains: one output (regression or lambdarank), numerical splits with LightGBM's default-left and missing
    /// rules. Categorical splits, linear trees, multi-class and averaged (random forest) models are refused with
    /// an <see cref="InvalidDataException"/> that says which and where.
    /// </summary>
    public static TreeEnsemble FromLightGbmJson(string json)
    {
        try
        {
            return ParseLightGbmJson(json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{LightGbmSource}: not a LightGBM JSON model dump ({e.Message})", e);
        }
    }

    private const string LightGbmSource = "LightGBM model";

    private static TreeEnsemble ParseLightGbmJson(string json)
    {
        const string source = LightGbmSource;
        // Deep trees nest two JSON levels per split; the parse itself is not recursive.
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1 << 20 });
        JsonElement root = doc.RootElement;
        if (Int(root, "num_class", source) != 1 || Int(root, "num_tree_per_iteration", source) != 1)
            throw new InvalidDataException($"{source}: {Int(root, "num_class", source)} classes and {Int(root, "num_tree_per_iteration", source)} trees per iteration; only single-output models are supported");
        if (root.TryGetProperty("average_output", out var average) && average.ValueKind == JsonValueKind.True)
            throw new InvalidDataException($"{source}: average_output (random forest) models are not supported");
        int featureCount = Int(root, "max_feature_idx", source) + 1;
        JsonElement trees = Property(root, "tree_info", source);

        var treeStarts = new List<int> { 0 };
        var features = new List<int>();
        var thresholds = new List<double>();
        var right = new List<int>();
        var decisions = new List<byte>();
        var values = new List<double>();
        var pending = new Stack<(JsonElement Node, int RightOf)>();
        int t = 0;
        foreach (JsonElement tree in trees.EnumerateArray())
        {
            string where = $"{source}, tree {t}";
            if (tree.TryGetProperty("is_linear", out var linear) && linear.ValueKind == JsonValueKind.True)
                throw new InvalidDataException($"{where}: linear trees are not supported");
            // Pre-order with an explicit stack: the left child is taken next, the right one waits with the index
            // of the split that points to it.
            pending.Push((Property(tree, "tree_structure", where), -1));
            while (pending.Count > 0)
            {
                var (node, rightOf) = pending.Pop();
                int index = features.Count;
                if (rightOf >= 0)
                    right[rightOf] = index;
                string at = $"{where}, node {index - treeStarts[^1]}";
                if (!node.TryGetProperty("split_feature", out _))
                {
                    features.Add(-1);
                    thresholds.Add(0);
                    right.Add(0);
                    decisions.Add(0);
                    values.Add(Property(node, "leaf_value", at).GetDouble());
                    continue;
                }
                string decisionType = Property(node, "decision_type", at).GetString() ?? "";
                if (decisionType != "<=")
                    throw new InvalidDataException($"{at}: a '{decisionType}' (categorical) split; categorical features are not supported, train with numerical features only");
                string missing = Property(node, "missing_type", at).GetString() ?? "";
                var missingType = missing switch
                {
                    "None" => LightGbmMissingType.None,
                    "Zero" => LightGbmMissingType.Zero,
                    "NaN" => LightGbmMissingType.NaN,
                    _ => throw new InvalidDataException($"{at}: unknown missing_type '{missing}'"),
                };
                features.Add(Int(node, "split_feature", at));
                thresholds.Add(Unclamped(Property(node, "threshold", at).GetDouble()));
                right.Add(-1);
                decisions.Add(LightGbmDecision.Make(Property(node, "default_left", at).GetBoolean(), missingType));
                values.Add(0);
                pending.Push((Property(node, "right_child", at), index));
                pending.Push((Property(node, "left_child", at), -1));
            }
            treeStarts.Add(features.Count);
            t++;
        }
        return new TreeEnsemble(featureCount, [.. treeStarts], [.. features], [.. thresholds], [.. right], [.. decisions], [.. values], source);
    }

    /// <summary>
    /// LightGBM writes thresholds through AvoidInf, which turns its +-infinity (the split that sends every value
    /// one way and NaN the other) into +-1e300. Its own predictor compares with the infinity, so +inf input goes
    /// left there; read them back as infinities. No float feature comes near 1e300.
    /// </summary>
    private static double Unclamped(double threshold) =>
        threshold >= 1e300 ? double.PositiveInfinity : threshold <= -1e300 ? double.NegativeInfinity : threshold;

    private static JsonElement Property(JsonElement element, string name, string where) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value
            : throw new InvalidDataException($"{where}: no '{name}'");

    private static int Int(JsonElement element, string name, string where) =>
        Property(element, name, where).TryGetInt32(out int value) ? value : throw new InvalidDataException($"{where}: '{name}' is not an integer");
}
