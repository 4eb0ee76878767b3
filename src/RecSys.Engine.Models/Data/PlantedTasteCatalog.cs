using System.Globalization;
using RecSys.Engine.Core.Randomness;

namespace RecSys.Engine.Models.Data;

/// <summary>
/// A generated catalog with planted tastes: the ground truth the end-to-end tests check answers against, and the
/// catalog <c>recsys demo</c> serves (there at 100k items and 20k users).
/// <code>
///   items    i in 0..Items-1, category "c{i % Categories}", title "{word of the category} {adjective} {noun}", ids 1000 + i,
///            published a minute apart, the last one a minute before the first event
///   users    u in 0..Users-1, ids 1 + u, favourite category u % Categories; demographics: age 20 + 10 (u % 3),
///            gender M / F by u % 2, occupation "occ{u % 2}"
///   events   each user: PerUser items of the favourite category + 2 at random, distinct, timestamps growing
///            (one second apart from StartSeconds on); favourites are drawn uniformly within the category, or, with a
///            popularity skew s > 0, the category's r-th item in a seeded shuffle with weight 1 / (r + 1)^s (never a
///            blockbuster or a segment item), so a category has hits of its own the way real catalogs do
///   segment  the users of one segment (age 30, F, occ1: see IsSegmentUser) also all take the items SegmentItems,
///            which nobody else touches: popular in that segment only
///   hits     every other user also takes the Blockbusters (items 0..4): popular overall, never in the segment
/// </code>
/// Deterministic for a seed and start time.
/// </summary>
public class PlantedTasteCatalog
{
    public const int Categories = 8;

    /// <summary>The largest Zipf exponent the generator takes.</summary>
    public const double MaxPopularitySkew = 3;
    public static readonly string[] Words = ["space", "romance", "crime", "comedy", "horror", "western", "music", "nature"];
    private static readonly string[] Adjectives = ["dark", "bright", "silent", "golden", "lost", "wild", "broken", "hidden", "last", "first", "red", "blue", "cold"];
    private static readonly string[] Nouns = ["city", "river", "night", "road", "house", "storm", "garden"];

    /// <summary>The default first event time (unix seconds): the tests' fixed timeline.</summary>
    public const long DefaultStartSeconds = 1_000_000;

    /// <param name="items">Catalog size, at least 2 x <see cref="Categories"/>; from <see cref="MinItems"/>(<paramref name="perUser"/>) on,
    /// every user surely gets all <paramref name="perUser"/> favourites (below it, a user gets as many as the category has left).</param>
    /// <param name="users">Users, at least 1.</param>
    /// <param name="perUser">Favourite-category items per user.</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="startSeconds">Time of the first event (unix seconds); each next event is a second later.</param>
    /// <param name="progress">Users generated, as a fraction.</param>
    /// <param name="popularitySkew">Zipf exponent of the favourites within a category; 0 (the default, what the tests'
    /// ground truth assumes) draws them uniformly, with the same random stream as before the option existed.</param>
    public PlantedTasteCatalog(int items = 400, int users = 240, int perUser = 12, ulong seed = 7, long startSeconds = DefaultStartSeconds, IProgress<double>? progress = null,
        double popularitySkew = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perUser, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 2 * Categories);
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(startSeconds);
        // Above 3 the last items of a category are so unlikely that drawing a user's twelfth favourite takes thousands of tries.
        if (!(popularitySkew is >= 0 and <= MaxPopularitySkew))
            throw new ArgumentOutOfRangeException(nameof(popularitySkew), popularitySkew, $"must be in 0..{MaxPopularitySkew}");
        Items = items;
        PopularitySkew = popularitySkew;
        Users = users;
        StartSeconds = startSeconds;
        var rng = new SplitMix64(seed);
        var builder = new InteractionSetBuilder { Catalog = new ItemCatalog(), Demographics = new UserDemographics() };
        for (int i = 0; i < items; i++)
        {
            int o = builder.Items.GetOrAdd(ItemId(i).ToString(CultureInfo.InvariantCulture));
            builder.Catalog.Set(o, $"{Words[CategoryOf(i)]} {Adjectives[i / Categories % Adjectives.Length]} {Nouns[i / (Categories * Adjectives.Length) % Nouns.Length]}", [Category(CategoryOf(i))]);
        }
        for (int u = 0; u < users; u++)
        {
            int o = builder.Users.GetOrAdd(UserId(u).ToString(CultureInfo.InvariantCulture));
            builder.Demographics.Set(o, 20 + 10 * (u % 3), u % 2 == 0 ? "M" : "F", $"occ{u % 2}");
        }
        long time = startSeconds;
        var taken = new HashSet<int>();
        int reportEvery = Math.Max(1, users / 100);
        double[]? rankCdf = null;
        int[][]? rankToIndex = null;
        if (popularitySkew > 0)
        {
            rankCdf = ZipfCdf(items / Categories, popularitySkew);
            // Which item of a category is its r-th hit: a seeded shuffle per category from a stream of its own (the main
            // stream stays as it was), so the hits are not simply the oldest items, nor all titled alike.
            var shuffle = new SplitMix64(seed ^ 0x21FF_5EED_0DDBA11UL);
            rankToIndex = new int[Categories][];
            for (int c = 0; c < Categories; c++)
            {
                var order = new int[items / Categories];
                for (int r = 0; r < order.Length; r++)
                    order[r] = r;
                for (int r = order.Length - 1; r > 0; r--)
                {
                    int j = (int)(shuffle.Next() % (ulong)(r + 1));
                    (order[r], order[j]) = (order[j], order[r]);
                }
                rankToIndex[c] = order;
            }
        }
        for (int u = 0; u < users; u++)
        {
            taken.Clear();
            int fav = Favourite(u);
            int perCategory = items / Categories;
            string user = UserId(u).ToString(CultureInfo.InvariantCulture);
            void Take(int item) => builder.Add(user, ItemId(item).ToString(CultureInfo.InvariantCulture), 1f, time++);
            // Oldest first: two at random, the hits (or the segment's items), then the favourites (the most recent).
            for (int extra = 0; extra < 2;)
            {
                int item = (int)(rng.Next() % (ulong)items);
                if (!IsSegmentItem(item) && !Blockbusters.Contains(item) && taken.Add(item))
                {
                    Take(item);
                    extra++;
                }
            }
            foreach (int item in IsSegmentUser(u) ? SegmentItems(items) : Blockbusters)
            {
                if (taken.Add(item))
                    Take(item);
            }
            int favourites = 0;
            int wanted = Math.Min(perUser, Available(fav, perCategory, taken, skipBlockbusters: rankCdf is not null));
            while (favourites < wanted)
            {
                int rank = rankCdf is null ? (int)(rng.Next() % (ulong)perCategory) : rankToIndex![fav][DrawRank(rankCdf, rng.NextDouble())];
                int item = fav + Categories * rank;
                // Skewed draws would land on a blockbuster often (segment users included), so they skip them; uniform ones
                // keep the stream they always had.
                if (!IsSegmentItem(item) && (rankCdf is null || !Blockbusters.Contains(item)) && taken.Add(item))
                {
                    Take(item);
                    favourites++;
                }
            }
            if ((u + 1) % reportEvery == 0)
                progress?.Report((u + 1) / (double)users);
        }
        progress?.Report(1);
        Data = new TrainingData(builder.Build());
        MaxTimestampSeconds = time;
    }

    /// <summary>Cumulative Zipf weights 1 / (r + 1)^s over ranks 0..n-1, normalised to end at 1.</summary>
    private static double[] ZipfCdf(int n, double s)
    {
        var cdf = new double[n];
        double sum = 0;
        for (int r = 0; r < n; r++)
            cdf[r] = sum += Math.Pow(r + 1, -s);
        for (int r = 0; r < n; r++)
            cdf[r] /= sum;
        cdf[n - 1] = 1;
        return cdf;
    }

    /// <summary>The first rank whose cumulative weight exceeds <paramref name="u"/> in [0, 1).</summary>
    private static int DrawRank(double[] cdf, double u)
    {
        int r = Array.BinarySearch(cdf, u);
        r = r >= 0 ? r + 1 : ~r;
        return Math.Min(r, cdf.Length - 1);
    }

    /// <summary>Items of category <paramref name="category"/> a user can still take as favourites: not the segment's, not taken.</summary>
    private int Available(int category, int perCategory, HashSet<int> taken, bool skipBlockbusters)
    {
        int blocked = 0;
        foreach (int item in SegmentItems(Items))
        {
            if (CategoryOf(item) == category && item < perCategory * Categories)
                blocked++;
        }
        foreach (int item in taken)
        {
            if (CategoryOf(item) == category && item < perCategory * Categories && !IsSegmentItem(item))
                blocked++;
        }
        if (skipBlockbusters)
        {
            foreach (int item in Blockbusters)
            {
                if (CategoryOf(item) == category && item < perCategory * Categories && !taken.Contains(item) && !IsSegmentItem(item))
                    blocked++;
            }
        }
        return perCategory - blocked;
    }

    /// <summary>
    /// The smallest catalog for <paramref name="perUser"/> favourites: each category keeps perUser items beside the one
    /// hit, the one segment item and the two random picks a user may have in it already.
    /// </summary>
    public static int MinItems(int perUser) => Categories * (perUser + 4);

    public int Items { get; }

    public int Users { get; }

    /// <summary>Zipf exponent of the favourites within a category (0: uniform).</summary>
    public double PopularitySkew { get; }

    public TrainingData Data { get; }

    /// <summary>Time of the first event (unix seconds).</summary>
    public long StartSeconds { get; }

    /// <summary>One second past the last event (unix seconds).</summary>
    public long MaxTimestampSeconds { get; }

    /// <summary>When item index <paramref name="item"/> was published (unix ms): a minute apart, higher indexes newer, never before 0.</summary>
    public long PublishedAtMs(int item) => Math.Max(0, StartSeconds - (long)(Items - item) * 60) * 1000;

    public static long ItemId(int i) => 1000 + i;

    public static long UserId(int u) => 1 + u;

    public static int CategoryOf(int item) => item % Categories;

    public static string Category(int c) => "c" + c;

    /// <summary>The word titles of category <paramref name="c"/> start with ("space", "romance", ...).</summary>
    public static string CategoryWord(int c) => Words[c];

    public static int Favourite(int user) => user % Categories;

    /// <summary>The planted segment: age 30 (25-34), "F", "occ1"; users with u % 3 == 1 and u % 2 == 1.</summary>
    public static bool IsSegmentUser(int u) => u % 3 == 1 && u % 2 == 1;

    public const int SegmentAge = 30;
    public const string SegmentGender = "F";
    public const string SegmentOccupation = "occ1";

    /// <summary>Items every user outside the planted segment takes: the overall hits.</summary>
    public static readonly int[] Blockbusters = [0, 1, 2, 3, 4];

    /// <summary>Five items only the planted segment takes (the last five of the catalog).</summary>
    public static int[] SegmentItems(int items) => [items - 5, items - 4, items - 3, items - 2, items - 1];

    public bool IsSegmentItem(int item) => item >= Items - 5;

    /// <summary>Ordinal of item index i in the catalog (the builder added items in order).</summary>
    public static int ItemIndex(long itemId) => (int)(itemId - 1000);
}
