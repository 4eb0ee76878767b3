namespace RecSys.Engine.Pipeline.Config;

/// <summary>Where a page's exploration slots go.</summary>
public enum ExplorationPlacement
{
    /// <summary>Evenly spread from <see cref="SurfaceConfig.ExplorationFirstPosition"/> to the end of the page.</summary>
    Spread,

    /// <summary>
    /// The last positions of the page, whatever its size (never before <see cref="SurfaceConfig.ExplorationFirstPosition"/>):
    /// the head stays the ranker's, and an explored item costs the page the least attention there.
    /// </summary>
    Tail,
}
