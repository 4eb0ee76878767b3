namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// The per-user values of one ranking request, as the feature store holds them (raw counts: the assembler scales them).
/// </summary>
public readonly record struct RankingUserFeatures
{
    /// <summary>Interactions in the user's whole history.</summary>
    public float Interactions { get; init; }

    /// <summary>Interactions in the last 30 days.</summary>
    public float RecentInteractions { get; init; }

    /// <summary>Age in years; 0 when unknown.</summary>
    public int Age { get; init; }

    public UserGender Gender { get; init; }

    /// <summary>Mean of log(1 + all-time interactions) over the items of the user's history: taste for popular items; 0 without history.</summary>
    public float Mainstreamness { get; init; }
}
