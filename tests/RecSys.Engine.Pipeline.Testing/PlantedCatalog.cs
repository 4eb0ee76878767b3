using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Pipeline.Tests.Support;

/// <summary>
/// A small generated catalog with planted tastes, the ground truth the end-to-end tests check answers against:
/// <code>
///   items    i in 0..Items-1, category "c{i % Categories}", title "{word of the category} {adjective} {noun}", ids 1000 + i
///   users    u in 0..Users-1, ids 1 + u, favourite category u % Categories; demographics: age 20 + 10 (u % 3),
///            gender M / F by u % 2, occupation "occ{u % 2}"
///   events   each user: PerUser items of the favourite category + 2 at random, distinct, timestamps growing
///   segment  the users of one segment (age 30, F, occ1: see IsSegmentUser) also all take the items SegmentItems,
///            which nobody else touches: popular in that segment only
///   hits     every other user also takes the Blockbusters (items 0..4): popular overall, never in the segment
/// </code>
/// </summary>
public sealed class PlantedCatalog
{
    public const int Categories = 8;
    public static readonly string[] Words = ["space", "romance", "crime", "comedy", "horror", "western", "music", "nature"];
    private static readonly string[] Adjectives = ["dark", "bright", "silent", "golden", "lost", "wild", "broken", "hidden", "last", "first", "red", "blue", "cold"];
    private static readonly string[] Nouns = ["city", "river", "night", "road", "house", "storm", "garden"];

    public PlantedCatalog(int items = 400, int users = 240, int perUser = 12, ulong seed = 7)
    {
        Items = items;
        Users = users;
        var rng = new SplitMix64(seed);
        var builder = new InteractionSetBuilder { Catalog = new ItemCatalog(), Demographics = new UserDemographics() };
        for (int i = 0; i < items; i++)
        {
            int o = builder.Items.GetOrAdd(ItemId(i).ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.Catalog.Set(o, $"{Words[CategoryOf(i)]} {Adjectives[i / Categories % Adjectives.Length]} {Nouns[i / (Categories * Adjectives.Length) % Nouns.Length]}", [Category(CategoryOf(i))]);
        }
        for (int u = 0; u < users; u++)
        {
            int o = builder.Users.GetOrAdd(UserId(u).ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.Demographics.Set(o, 20 + 10 * (u % 3), u % 2 == 0 ? "M" : "F", $"occ{u % 2}");
        }
        long time = 1_000_000;
        var taken = new HashSet<int>();
        for (int u = 0; u < users; u++)
        {
            taken.Clear();
            int fav = Favourite(u);
            int perCategory = items / Categories;
            string user = UserId(u).ToString(System.Globalization.CultureInfo.InvariantCulture);
            void Take(int item) => builder.Add(user, ItemId(item).ToString(System.Globalization.CultureInfo.InvariantCulture), 1f, time++);
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
            while (favourites < perUser)
            {
                int item = fav + Categories * (int)(rng.Next() % (ulong)perCategory);
                if (!IsSegmentItem(item) && taken.Add(item))
                {
                    Take(item);
                    favourites++;
                }
            }
        }
        Data = new TrainingData(builder.Build());
        MaxTimestampSeconds = time;
    }

    public int Items { get; }

    public int Users { get; }

    public TrainingData Data { get; }

    public long MaxTimestampSeconds { get; }

    public static long ItemId(int i) => 1000 + i;

    public static long UserId(int u) => 1 + u;

    public static int CategoryOf(int item) => item % Categories;

    public static string Category(int c) => "c" + c;

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
