namespace RecSys.Engine.Models.Ranking;

/// <summary>The request context of one ranking request: surface and the user's local time.</summary>
public readonly record struct RankingContext
{
    public RankingSurface Surface { get; init; }

    /// <summary>Hour of day, 0-23.</summary>
    public int Hour { get; init; }

    public DayOfWeek Weekday { get; init; }

    /// <summary>The context of a request at <paramref name="unixSeconds"/> (UTC) on <paramref name="surface"/>.</summary>
    public static RankingContext At(long unixSeconds, RankingSurface surface = RankingSurface.Home)
    {
        DateTime t = DateTime.UnixEpoch.AddSeconds(unixSeconds);
        return new RankingContext { Surface = surface, Hour = t.Hour, Weekday = t.DayOfWeek };
    }
}
