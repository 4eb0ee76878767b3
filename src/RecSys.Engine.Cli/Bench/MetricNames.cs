using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Cli.Bench;

/// <summary>The metric names the command line and meta.json use: cosine, l2, ip.</summary>
internal static class MetricNames
{
    public static DistanceMetric Parse(string? name, string where) => name?.ToLowerInvariant() switch
    {
        "cosine" or "cos" => DistanceMetric.Cosine,
        "l2" or "euclidean" => DistanceMetric.L2,
        "ip" or "inner_product" or "innerproduct" => DistanceMetric.InnerProduct,
        _ => throw new CliInputException($"{where}: unknown metric '{name}' (expected cosine, l2 or ip)"),
    };

    public static string Format(DistanceMetric metric) => metric switch
    {
        DistanceMetric.Cosine => "cosine",
        DistanceMetric.L2 => "l2",
        _ => "ip",
    };
}
