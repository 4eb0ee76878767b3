using System.Text.Json.Serialization;

namespace RecSys.Engine.Cli.Bench;

/// <summary>One row of `recsys bench ann`: an index at one parameter setting.</summary>
internal sealed record AnnResult(
    [property: JsonPropertyName("index")] string Index,
    [property: JsonPropertyName("params")] string Params,
    [property: JsonPropertyName("build_s")] double BuildSeconds,
    [property: JsonPropertyName("recall_at_10")] double RecallAt10,
    [property: JsonPropertyName("qps_1thread")] double Qps1Thread,
    [property: JsonPropertyName("bytes_per_vector")] double BytesPerVector,
    [property: JsonPropertyName("p50_us")] double P50Micros,
    [property: JsonPropertyName("p99_us")] double P99Micros);
