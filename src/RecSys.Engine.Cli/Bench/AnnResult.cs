using System.Text.Json.Serialization;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// One row of `recsys bench ann`: an index at one parameter setting. With --runs N the row holds every run's QPS
/// (<see cref="QpsRuns"/>); <see cref="Qps1Thread"/>, the field older readers know, is their median, and p50 / p99
/// are the medians of the runs' percentiles. Recall counts every query once (a repeated query set is timed, not
/// scored again).
/// </summary>
internal sealed record AnnResult(
    [property: JsonPropertyName("index")] string Index,
    [property: JsonPropertyName("params")] string Params,
    [property: JsonPropertyName("build_s")] double BuildSeconds,
    [property: JsonPropertyName("recall_at_10")] double RecallAt10,
    [property: JsonPropertyName("qps_1thread")] double Qps1Thread,
    [property: JsonPropertyName("bytes_per_vector")] double BytesPerVector,
    [property: JsonPropertyName("p50_us")] double P50Micros,
    [property: JsonPropertyName("p99_us")] double P99Micros,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("qps_median")] double QpsMedian,
    [property: JsonPropertyName("qps_min")] double QpsMin,
    [property: JsonPropertyName("qps_max")] double QpsMax,
    [property: JsonPropertyName("qps_runs")] IReadOnlyList<double> QpsRuns,
    [property: JsonPropertyName("queries_per_run")] long QueriesPerRun,
    [property: JsonPropertyName("min_time_s")] double MinTimeSeconds,
    [property: JsonPropertyName("library"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Library);
