namespace RecSys.Engine.Models.Factory;

/// <summary>
/// The kinds of recommendation model, in the order reports list them. Names, summaries and how each is built
/// live in one registry, <see cref="ModelKinds"/>; nothing else spells a kind's name.
/// </summary>
public enum ModelKind
{
    Popularity,
    Trending,
    ItemKnn,
    Ease,
    Als,
    Content,
    Blend,
    Ranked,
    TwoTower,
    Sequence,
}
