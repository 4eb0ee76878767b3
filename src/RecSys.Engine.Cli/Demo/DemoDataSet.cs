using System.Globalization;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Popularity;

namespace RecSys.Engine.Cli.Demo;

/// <summary>
/// What the demo serves: the training data (the planted catalog, or MovieLens 100K), how to name an item in the
/// output, and "now" for the calls. The scenario the calls play is picked from the data the same way for both
/// (<see cref="PickScenario"/>), so nothing is special-cased for the generated catalog.
/// </summary>
internal sealed class DemoDataSet
{
    /// <summary>Data whose last event is older than this is served at its own "now" (the calls carry it), not the clock's.</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromDays(30);

    private DemoDataSet(TrainingData data, string source, Func<int, long>? publishedAtMs, long lastEventMs)
    {
        Data = data;
        Source = source;
        PublishedAtMs = publishedAtMs;
        long wallMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // Old data (MovieLens: 1997-98) would have every decayed score at zero under today's clock.
        HistoricalNow = wallMs - lastEventMs > StaleAfter.TotalMilliseconds;
        NowMs = HistoricalNow ? lastEventMs + (long)TimeSpan.FromDays(1).TotalMilliseconds : wallMs;
    }

    public TrainingData Data { get; }

    /// <summary>Where the data came from, in words (the version's training summary).</summary>
    public string Source { get; }

    /// <summary>Publish time by item ordinal (unix ms), when the data has one.</summary>
    public Func<int, long>? PublishedAtMs { get; }

    /// <summary>"Now" for the demo's calls and events (unix ms).</summary>
    public long NowMs { get; }

    /// <summary>True when <see cref="NowMs"/> is the data's own time, not the clock's: calls must send it.</summary>
    public bool HistoricalNow { get; }

    /// <summary>The generated catalog with planted tastes, its events ending about now.</summary>
    /// <summary>Favourite-category items per generated user.</summary>
    public const int PerUser = 12;

    /// <summary>
    /// Zipf exponent of the favourites within a category. Uniform favourites (the tests' catalog) leave nothing to
    /// predict inside a category but the overall hits, so a ranker trained on them learns "popular" and ignores taste;
    /// real catalogs have hits in every genre, and so does the demo's.
    /// </summary>
    public const double PopularitySkew = 1.0;

    public static DemoDataSet Planted(int items, int users, ulong seed, IProgress<double>? progress)
    {
        const int perUser = PerUser;
        long nowSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // Events are a second apart: start far enough back that the last one is an hour ago.
        long start = nowSeconds - (long)users * (perUser + 2 + PlantedTasteCatalog.Blockbusters.Length) - 3600;
        var planted = new PlantedTasteCatalog(items, users, perUser, seed, start, progress, PopularitySkew);
        return new DemoDataSet(planted.Data, $"planted catalog: {items} items, {users} users, seed {seed}", planted.PublishedAtMs, (planted.MaxTimestampSeconds - 1) * 1000);
    }

    /// <summary>MovieLens 100K (u.data, u.item titles and genres, u.user demographics).</summary>
    public static DemoDataSet MovieLens(string directory)
    {
        var set = MovieLens100KLoader.Load(directory);
        if (set.Count == 0)
            throw new InvalidDataException($"{directory}: no interactions");
        return new DemoDataSet(new TrainingData(set), $"MovieLens 100K at {directory}", null, set.MaxTimestamp() * 1000);
    }

    public string ItemId(int ordinal) => Data.Events.Items[ordinal];

    public string UserId(int ordinal) => Data.Events.Users[ordinal];

    /// <summary>"Toy Story (1995) [Animation, Children's, Comedy]", or the bare id without metadata; unknown ids say so.</summary>
    public string Describe(string itemId)
    {
        if (!Data.Events.Items.TryGetOrdinal(itemId, out int o))
            return "(not in the training data)";
        if (Data.Catalog is not { } catalog)
            return "";
        var categories = catalog.Categories(o);
        return categories.Count == 0 ? catalog.Title(o) : $"{catalog.Title(o)} [{string.Join(", ", categories)}]";
    }

    /// <summary>
    /// The story the calls tell: a user with a clear favourite category (the highest share among the first users
    /// with at least 10 events), a category they have barely touched, the most popular items of it they have not seen
    /// and that are not nearly all another segment's (the events they will record), and the most popular item of their
    /// favourite (for SimilarItems).
    /// </summary>
    public DemoScenario PickScenario(int newTasteEvents)
    {
        var m = Data.Matrix;
        var catalog = Data.Catalog;
        var popularity = new int[Data.ItemCount];
        foreach (int item in m.ColumnIndex)
            popularity[item]++;
        var categoryItems = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < Data.ItemCount; i++)
        {
            foreach (string c in CategoriesOf(catalog, i))
                (categoryItems.TryGetValue(c, out var list) ? list : categoryItems[c] = []).Add(i);
        }
        if (categoryItems.Count < 2)
            throw new InvalidDataException($"{Source}: the demo needs items in at least two categories");

        int bestUser = -1;
        double bestShare = -1;
        string favourite = "";
        for (int u = 0; u < Math.Min(m.RowCount, 500); u++)
        {
            if (m.RowLength(u) < 10)
                continue;
            var (top, share) = TopCategory(catalog, m.Columns(u));
            if (share > bestShare)
                (bestUser, bestShare, favourite) = (u, share, top);
        }
        if (bestUser < 0)
            throw new InvalidDataException($"{Source}: the demo needs a user with at least 10 events among the first 500");

        var seen = new HashSet<int>(m.Columns(bestUser).ToArray());
        var counts = CategoryCounts(catalog, m.Columns(bestUser));
        // The new taste: the least-touched category with enough unseen items to like.
        string newTaste = categoryItems
            .Where(c => c.Key != favourite && c.Value.Count(i => !seen.Contains(i)) >= newTasteEvents)
            .OrderBy(c => counts.GetValueOrDefault(c.Key))
            .ThenByDescending(c => c.Value.Count)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => c.Key)
            .FirstOrDefault() ?? throw new InvalidDataException($"{Source}: no second category with {newTasteEvents} items the demo user has not seen");
        // The category's most popular items, leaving out one that nearly only some other demographic segment takes: it
        // would tell the models "this user is one of them" rather than "this user likes the category".
        string[]? segments = Data.Demographics is { } demographics
            ? [.. Enumerable.Range(0, m.RowCount).Select(u => UserSegments.Of(demographics, u))]
            : null;
        int[] likes = [.. categoryItems[newTaste].Where(i => !seen.Contains(i))
            .OrderByDescending(i => popularity[i]).ThenBy(i => i)
            .Where(i => segments is null || !TakenMostlyByAnotherSegment(i, segments, segments[bestUser])).Take(newTasteEvents)];
        int similar = categoryItems[favourite].OrderByDescending(i => popularity[i]).ThenBy(i => i).First();
        // Three other users whose top category is the favourite too: the new item's first users.
        var fans = new List<string>(3);
        for (int u = 0; u < m.RowCount && fans.Count < 3; u++)
        {
            if (u != bestUser && m.RowLength(u) >= 10 && TopCategory(catalog, m.Columns(u)).Category == favourite)
                fans.Add(UserId(u));
        }
        if (fans.Count < 3)
            throw new InvalidDataException($"{Source}: the demo needs three more users whose top category is '{favourite}'");
        return new DemoScenario(
            UserId(bestUser), m.RowLength(bestUser), favourite, newTaste,
            [.. likes.Select(ItemId)], ItemId(similar), ColdUserId(), UserId(bestUser == 0 ? 1 : 0), NewItemId(), [.. fans]);
    }

    /// <summary>
    /// True when 90% or more of a popular item's users (20 or more) belong to one segment other than
    /// <paramref name="ownSegment"/>; <paramref name="segments"/> is each user's segment.
    /// </summary>
    private bool TakenMostlyByAnotherSegment(int item, string[] segments, string ownSegment)
    {
        ReadOnlySpan<int> users = Data.Transposed.Columns(item);
        if (users.Length < 20)
            return false;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (int u in users)
            counts[segments[u]] = counts.GetValueOrDefault(segments[u]) + 1;
        var top = counts.MaxBy(c => c.Value);
        return top.Key != ownSegment && top.Value >= 0.9 * users.Length;
    }

    /// <summary>A user id the data does not know (a cold-start user): numeric when the data's ids are.</summary>
    private string ColdUserId() => UnusedId(Data.Events.Users, "new-visitor");

    /// <summary>An item id the data does not have (the item the demo adds live): numeric when the data's ids are.</summary>
    private string NewItemId() => UnusedId(Data.Events.Items, "new-item");

    /// <summary>1,000 past the largest id when every id is a number, else <paramref name="name"/> (with "-1"s until unused).</summary>
    private static string UnusedId(IdMap ids, string name)
    {
        if (ids.TryGetNumericIds() is { } numeric)
            return (numeric.Max() + 1000).ToString(CultureInfo.InvariantCulture);
        string id = name;
        while (ids.TryGetOrdinal(id, out _))
            id += "-1";
        return id;
    }

    private static IReadOnlyList<string> CategoriesOf(ItemCatalog? catalog, int item) => catalog?.Categories(item) ?? [];

    private static Dictionary<string, int> CategoryCounts(ItemCatalog? catalog, ReadOnlySpan<int> items)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (int i in items)
        {
            foreach (string c in CategoriesOf(catalog, i))
                counts[c] = counts.GetValueOrDefault(c) + 1;
        }
        return counts;
    }

    private static (string Category, double Share) TopCategory(ItemCatalog? catalog, ReadOnlySpan<int> items)
    {
        var counts = CategoryCounts(catalog, items);
        if (counts.Count == 0)
            return ("", 0);
        var top = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).First();
        return (top.Key, top.Value / (double)items.Length);
    }
}
