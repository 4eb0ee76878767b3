namespace RecSys.Engine.Models.Data;

/// <summary>
/// Item metadata by item ordinal (the ordinals of <see cref="InteractionSet.Items"/>): a title, categories
/// (genres) and free tags. Items without metadata have an empty title and no categories.
/// </summary>
public sealed class ItemCatalog
{
    private readonly List<string> _titles = [];
    private readonly List<string[]> _categories = [];
    private readonly List<string[]> _tags = [];

    public int Count => _titles.Count;

    public string Title(int item) => item < _titles.Count ? _titles[item] : "";

    public IReadOnlyList<string> Categories(int item) => item < _categories.Count ? _categories[item] : [];

    public IReadOnlyList<string> Tags(int item) => item < _tags.Count ? _tags[item] : [];

    /// <summary>Sets the metadata of <paramref name="item"/>, growing the catalog with empty entries as needed.</summary>
    public void Set(int item, string title, string[] categories, string[]? tags = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(item);
        while (_titles.Count <= item)
        {
            _titles.Add("");
            _categories.Add([]);
            _tags.Add([]);
        }
        _titles[item] = title;
        _categories[item] = categories;
        _tags[item] = tags ?? [];
    }

    /// <summary>Every distinct category, sorted ordinally (a stable one-hot layout).</summary>
    public string[] DistinctCategories()
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in _categories)
            set.UnionWith(c);
        return [.. set];
    }
}
