using System.Globalization;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Core.Vectors.Synthetic;

namespace RecSys.Engine.Models.Data;

/// <summary>
/// A generated catalog at any scale (1M items x 96 dims and 1M users for the serving benchmarks) whose vectors are
/// the synthetic recipe of datasets/SYNTHETIC.md, so the item vectors are the reference base.fvecs rows (normalised)
/// and the users' vectors its query rows:
/// <code>
///   items    ordinal i, id i + 1; vector = base row i, normalised (cosine = inner product); centre k = the row's cluster;
///            category "c{k % Categories}"; title "c{k % Categories} item {id}"; published at a seeded time in the
///            PublishWindow before EndSeconds
///   users    ordinal u, id u + 1; vector = query row u, normalised; demographics from a seeded stream (age 22/30/40,
///            M/F, two occupations: 12 segments, so per-segment popularity stays small at 1M items)
///   history  HistoryLength distinct items per user: 80% from the items of the user's own centre (skewed to the
///            centre's first items, so each centre has a popular head), the rest uniform; timestamps seeded within
///            the EventWindow before EndSeconds, oldest first
/// </code>
/// Deterministic for (items, users, dimension, seed, history length, end time); the first rows of a larger catalog's
/// vectors equal a smaller one's (the recipe's streams), its histories do not.
/// </summary>
public sealed class SyntheticCatalog
{
    public const int Categories = 16;

    /// <summary>Items are published within this many seconds before the end time (a year).</summary>
    public const long PublishWindowSeconds = 365L * 86400;

    /// <summary>Events fall within this many seconds before the end time (a week: the trending half-life's scale).</summary>
    public const long EventWindowSeconds = 7L * 86400;

    /// <summary>Share of a user's history drawn from their own centre's items (the rest is uniform).</summary>
    private const double OwnCentreShare = 0.8;

    private const int Centres = SyntheticVectorGenerator.CentreCount;
    private static readonly int[] Ages = [22, 30, 40];
    private static readonly string[] Genders = ["M", "F"];
    private static readonly string[] Occupations = ["engineer", "student"];

    private readonly long[] _publishedAtSeconds;

    /// <param name="items">Items, at least 1.</param>
    /// <param name="users">Users, at least 1.</param>
    /// <param name="dimension">Vector dimension (items and users alike).</param>
    /// <param name="seed">Seed of the recipe's streams and of the catalog's own (histories, demographics, publish times).</param>
    /// <param name="historyLength">Events per user, 1..items.</param>
    /// <param name="endSeconds">Unix seconds: the last event and the newest publish time are before it.</param>
    /// <param name="progress">The fraction done (vectors first, then histories), for long runs.</param>
    public SyntheticCatalog(int items, int users, int dimension, ulong seed, int historyLength, long endSeconds, IProgress<double>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(historyLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(historyLength, items);
        ArgumentOutOfRangeException.ThrowIfLessThan(endSeconds, PublishWindowSeconds);
        if ((long)users * historyLength > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(historyLength), $"{users} users x {historyLength} events is more than one array holds");
        Dimension = dimension;
        Seed = seed;
        EndSeconds = endSeconds;
        var generator = new SyntheticVectorGenerator(dimension, seed);
        var itemCentres = new byte[items];
        var userCentres = new byte[users];
        ItemVectors = Rows(generator, items, itemCentres, query: false, progress, 0, 0.3);
        UserVectors = Rows(generator, users, userCentres, query: true, progress, 0.3, 0.3);

        // Catalog streams of their own (the recipe uses seed*1000 + 1..3), so the vectors stay the reference ones.
        var meta = new SplitMix64(seed * 1000 + 4);
        var categoryNames = new string[Categories];
        var categoryLists = new string[Categories][];
        for (int c = 0; c < Categories; c++)
            categoryLists[c] = [categoryNames[c] = "c" + c.ToString(CultureInfo.InvariantCulture)];
        var catalog = new ItemCatalog();
        _publishedAtSeconds = new long[items];
        for (int i = 0; i < items; i++)
        {
            int c = itemCentres[i] % Categories;
            catalog.Set(i, string.Create(CultureInfo.InvariantCulture, $"{categoryNames[c]} item {i + 1}"), categoryLists[c]);
            _publishedAtSeconds[i] = endSeconds - 1 - (long)(meta.Next() % (ulong)PublishWindowSeconds);
        }
        var demographics = new UserDemographics();
        for (int u = 0; u < users; u++)
        {
            ulong r = meta.Next();
            demographics.Set(u, Ages[(int)(r % 3)], Genders[(int)(r / 3 % 2)], Occupations[(int)(r / 6 % 2)]);
        }

        var byCentre = ItemsByCentre(itemCentres);
        int events = users * historyLength;
        var userOrdinals = new int[events];
        var itemOrdinals = new int[events];
        var values = new float[events];
        var timestamps = new long[events];
        var history = new SplitMix64(seed * 1000 + 5);
        var taken = new HashSet<int>();
        var times = new long[historyLength];
        int e = 0;
        int reportEvery = Math.Max(1, users / 20);
        for (int u = 0; u < users; u++)
        {
            taken.Clear();
            var own = byCentre[userCentres[u]];
            for (int h = 0; h < historyLength; h++)
                times[h] = endSeconds - 1 - (long)(history.Next() % (ulong)EventWindowSeconds);
            Array.Sort(times);
            for (int h = 0; h < historyLength; h++)
            {
                int item = PickItem(ref history, own, items, taken);
                userOrdinals[e] = u;
                itemOrdinals[e] = item;
                values[e] = 1f;
                timestamps[e] = times[h];
                e++;
            }
            if ((u + 1) % reportEvery == 0)
                progress?.Report(0.6 + 0.4 * (u + 1) / users);
        }
        var userIds = IdMap.FromIds(Enumerable.Range(0, users).Select(u => UserId(u).ToString(CultureInfo.InvariantCulture)));
        var itemIds = IdMap.FromIds(Enumerable.Range(0, items).Select(i => ItemId(i).ToString(CultureInfo.InvariantCulture)));
        Data = new TrainingData(new InteractionSet(userIds, itemIds, userOrdinals, itemOrdinals, values, timestamps, catalog, demographics));
    }

    public int Dimension { get; }

    public ulong Seed { get; }

    public long EndSeconds { get; }

    /// <summary>Events, items with categories and titles, users with demographics.</summary>
    public TrainingData Data { get; }

    /// <summary>Items x dimension, row-major, unit length: the reference base rows, normalised.</summary>
    public float[] ItemVectors { get; }

    /// <summary>Users x dimension, row-major, unit length: the reference query rows, normalised.</summary>
    public float[] UserVectors { get; }

    public static long ItemId(int ordinal) => ordinal + 1L;

    public static long UserId(int ordinal) => ordinal + 1L;

    /// <summary>Publish time of item <paramref name="ordinal"/>, unix ms.</summary>
    public long PublishedAtMs(int ordinal) => _publishedAtSeconds[ordinal] * 1000;

    private static float[] Rows(SyntheticVectorGenerator generator, int count, byte[] centres, bool query, IProgress<double>? progress, double from, double share)
    {
        int d = generator.Dimension;
        var rows = new float[(long)count * d];
        const int chunk = 1 << 14;
        int chunks = (count + chunk - 1) / chunk, done = 0;
        // Each chunk starts its own stream at its first row (the recipe's draws per row are fixed), so this is the
        // sequential file whatever the thread count.
        Parallel.For(0, chunks, c =>
        {
            int start = c * chunk, end = Math.Min(count, start + chunk);
            var stream = query ? generator.CreateQueryStream(start) : generator.CreateBaseStream(start);
            for (int r = start; r < end; r++)
            {
                var row = rows.AsSpan(r * d, d);
                centres[r] = (byte)stream.Next(row);
                SyntheticVectorGenerator.Normalize(row);
            }
            progress?.Report(from + share * Interlocked.Increment(ref done) / chunks);
        });
        return rows;
    }

    private static int[][] ItemsByCentre(byte[] centres)
    {
        var counts = new int[Centres];
        foreach (byte k in centres)
            counts[k]++;
        var lists = new int[Centres][];
        for (int k = 0; k < Centres; k++)
            lists[k] = new int[counts[k]];
        Array.Clear(counts);
        for (int i = 0; i < centres.Length; i++)
            lists[centres[i]][counts[centres[i]]++] = i;
        return lists;
    }

    /// <summary>
    /// A distinct item for the history: from the user's centre (position u^2 of its list, so the first items are the
    /// centre's popular head) with <see cref="OwnCentreShare"/>, else uniform; a few retries, then the first free item
    /// from a random start (historyLength &lt;= items guarantees one).
    /// </summary>
    private static int PickItem(ref SplitMix64 rng, int[] own, int items, HashSet<int> taken)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            double u = rng.NextDouble();
            int item = own.Length > 0 && u < OwnCentreShare
                ? own[(int)(own.Length * Square(u / OwnCentreShare))]
                : (int)(rng.Next() % (ulong)items);
            if (taken.Add(item))
                return item;
        }
        int start = (int)(rng.Next() % (ulong)items);
        for (int i = 0; ; i++)
        {
            int item = (start + i) % items;
            if (taken.Add(item))
                return item;
        }
    }

    private static double Square(double x) => Math.Min(x * x, 0.999999999);
}
