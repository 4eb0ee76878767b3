namespace RecSys.Engine.Models.TwoTower;

/// <summary>Which tower of a <see cref="TwoTowerModel"/>.</summary>
public enum TowerKind
{
    /// <summary>User features + the pooled embeddings of the user's recent items -> the query vector (per request).</summary>
    User,

    /// <summary>Item features + the item's id embedding -> the item vector (once per item, into the index).</summary>
    Item,
}
