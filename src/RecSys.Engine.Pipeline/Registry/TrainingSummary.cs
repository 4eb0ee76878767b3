namespace RecSys.Engine.Pipeline.Registry;

/// <summary>What a version's models were trained on (a manifest section): sizes, event time range (unix seconds), where it came from.</summary>
public sealed record TrainingSummary
{
    public int Users { get; init; }

    public int Items { get; init; }

    public long Events { get; init; }

    public long FirstEventAt { get; init; }

    public long LastEventAt { get; init; }

    /// <summary>The data set, in words ("ml-100k u.data, random 75/25 seed 42").</summary>
    public string Source { get; init; } = "";
}
