using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.TwoTower;

namespace RecSys.Engine.Models.Tests.TwoTower;

/// <summary>
/// Interactions with planted tastes, and a small, fast two-tower configuration for them:
/// <code>
///   items   i in 0..Items-1, category "g{i % Categories}", title "{word of the category} {i}"
///   users   u: favourite category u % Categories; demographics age 20 + 10 (u % 4), gender by u % 2, occupation "o{u % 3}"
///   events  per user PerUser distinct items: 80% from the favourite category (skewed to its low items), 20% from the
///           blockbusters (items 0..Blockbusters-1, every category's most popular), timestamps growing
/// </code>
/// Popularity sees the blockbusters; only a model that learns each user's category finds their held-out favourites.
/// </summary>
internal static class TwoTowerTestData
{
    public const int Categories = 8;
    public const int Blockbusters = 16;
    private static readonly string[] Words = ["space", "romance", "crime", "comedy", "horror", "western", "music", "nature"];

    public static InteractionSet Planted(int users = 300, int items = 400, int perUser = 20, ulong seed = 11)
    {
        var rng = new SplitMix64(seed);
        var builder = new InteractionSetBuilder { Catalog = new ItemCatalog(), Demographics = new UserDemographics() };
        for (int i = 0; i < items; i++)
        {
            int o = builder.Items.GetOrAdd($"i{i}");
            builder.Catalog.Set(o, $"{Words[i % Categories]} story {i}", [$"g{i % Categories}"]);
        }
        long time = 1_000_000;
        var taken = new HashSet<int>();
        int perCategory = items / Categories;
        for (int u = 0; u < users; u++)
        {
            int o = builder.Users.GetOrAdd($"u{u}");
            builder.Demographics.Set(o, 20 + 10 * (u % 4), u % 2 == 0 ? "M" : "F", $"o{u % 3}");
            taken.Clear();
            int favourite = u % Categories;
            while (taken.Count < perUser)
            {
                int item;
                if (rng.Next() % 5 == 0)
                {
                    item = (int)(rng.Next() % Blockbusters);
                }
                else
                {
                    // Skewed within the category: the square of a uniform draw favours its first items.
                    double x = (rng.Next() >> 11) * (1.0 / (1UL << 53));
                    item = favourite + Categories * (int)(x * x * perCategory);
                }
                if (taken.Add(item))
                    builder.Add($"u{u}", $"i{item}", 1f, time++);
            }
        }
        return builder.Build();
    }

    /// <summary>Small towers and few epochs: seconds on a loaded 2-core machine.</summary>
    public static TwoTowerOptions Options(ulong seed = 5) => new()
    {
        EmbeddingDimension = 16,
        Hidden = [32],
        Dimension = 16,
        Temperature = 0.1f,
        BatchSize = 128,
        LearningRate = 5e-3f,
        MaxEpochs = 12,
        Patience = 3,
        MaxHistory = 20,
        DemographicBuckets = 16,
        SegmentBuckets = 8,
        Seed = seed,
    };

    public static ContentOptions Content { get; } = new() { HashBuckets = 64 };
}
