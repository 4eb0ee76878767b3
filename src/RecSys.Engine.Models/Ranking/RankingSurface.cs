namespace RecSys.Engine.Models.Ranking;

/// <summary>Where a recommendation is shown (the context one-hot of the ranking schema, in this order).</summary>
public enum RankingSurface
{
    /// <summary>A surface the schema has no column for: every surface column reads 0.</summary>
    Other = -1,
    Home = 0,
    Search = 1,
    Email = 2,
    ItemPage = 3,
}
