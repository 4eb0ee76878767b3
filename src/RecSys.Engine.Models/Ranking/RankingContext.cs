namespace RecSys.Engine.Models.Ranking;

/// <summary>The request context of one ranking request: surface and the time of day and week (UTC).</summary>
public readonly record struct RankingContext
{
    public RankingSurface Surface { get; init; }

    /// <summary>Hour of day, 0-23.</summary>
    public int Hour { get; init; }

    public DayOfWeek Weekday { get; init; }

    /// <summary>The context of a request at <paramref name="unixMs"/> (UTC) on <paramref name="surface"/>.</summary>
    public static RankingContext At(long unixMs, RankingSurface surface = RankingSurface.Home)
    {
        DateTime t = DateTime.UnixEpoch.AddMilliseconds(unixMs);
        return new RankingContext { Surface = surface, Hour = t.Hour, Weekday = t.DayOfWeek };
    }

    /// <summary>The schema surface a pipeline surface name stands for ("item-page" is <see cref="RankingSurface.ItemPage"/>); <see cref="RankingSurface.Other"/> when none.</summary>
    public static RankingSurface SurfaceOf(string? name)
    {
        if (name is null)
            return RankingSurface.Other;
        for (int s = 0; s < RankingFeatureSchema.SurfaceNames.Count; s++)
        {
            if (SlugEquals(name, RankingFeatureSchema.SurfaceNames[s]))
                return (RankingSurface)s;
        }
        return RankingSurface.Other;
    }

    /// <summary>Whether <paramref name="name"/> slugs to <paramref name="slug"/> (ASCII letters case-blind, '-' as '_'), without allocating.</summary>
    private static bool SlugEquals(string name, string slug)
    {
        if (name.Length != slug.Length)
            return false;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i] == '-' ? '_' : char.ToLowerInvariant(name[i]);
            if (c != slug[i])
                return false;
        }
        return true;
    }
}
