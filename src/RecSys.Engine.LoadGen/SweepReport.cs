using System.Text.Json;

namespace RecSys.Engine.LoadGen;

/// <summary>A sweep: one <see cref="LoadReport"/> per rate, rising, up to and including the first that failed the SLO.</summary>
public sealed record SweepReport
{
    public required double SloMs { get; init; }

    /// <summary>The highest rate whose run passed the SLO (0 when none did).</summary>
    public required double MaxPassingRateRps { get; init; }

    public required IReadOnlyList<LoadReport> Steps { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, LoadReport.Json);

    public static SweepReport FromJson(string json) => JsonSerializer.Deserialize<SweepReport>(json, LoadReport.Json)
        ?? throw new InvalidDataException("the JSON holds no sweep");
}
