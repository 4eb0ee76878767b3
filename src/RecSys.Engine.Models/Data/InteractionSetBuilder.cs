namespace RecSys.Engine.Models.Data;

/// <summary>Accumulates events by external id; <see cref="Build"/> freezes them into an <see cref="InteractionSet"/>.</summary>
public sealed class InteractionSetBuilder
{
    private readonly List<int> _users = [];
    private readonly List<int> _items = [];
    private readonly List<float> _values = [];
    private readonly List<long> _timestamps = [];

    public IdMap Users { get; } = new();

    public IdMap Items { get; } = new();

    public ItemCatalog? Catalog { get; set; }

    public UserDemographics? Demographics { get; set; }

    public int Count => _users.Count;

    public void Add(string user, string item, float value, long timestamp) =>
        Add(Users.GetOrAdd(user), Items.GetOrAdd(item), value, timestamp);

    public void Add(int userOrdinal, int itemOrdinal, float value, long timestamp)
    {
        _users.Add(userOrdinal);
        _items.Add(itemOrdinal);
        _values.Add(value);
        _timestamps.Add(timestamp);
    }

    public InteractionSet Build() =>
        new(Users, Items, [.. _users], [.. _items], [.. _values], [.. _timestamps], Catalog, Demographics);
}
