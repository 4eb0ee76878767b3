namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// The per-user values of one ranking request, raw (the assembler scales them): what the pipeline reads from the
/// feature store's profile and the user's history window, and what offline training computes from the events.
/// </summary>
public readonly record struct RankingUserFeatures
{
    /// <summary>Interactions among the user's newest <see cref="RankingFeatureSchema.HistoryWindow"/> history events.</summary>
    public int HistoryLength { get; init; }

    /// <summary>The profile's age band code (<see cref="Popularity.UserSegments.AgeBucketCode"/>: 1 under 18 .. 7 56+); 0 when unknown.</summary>
    public byte AgeBucket { get; init; }

    public UserGender Gender { get; init; }
}
