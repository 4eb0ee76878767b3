using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// The feature store's values computed from training events, for offline training and evaluation: user and item
/// counters (all time, 7 and 30 days before the newest event), item age (since first seen), category masks and the
/// users' category shares, each user's recent items (for the content similarity). What serving reads from the
/// feature store, offline runs read from here, so both fill <see cref="RankingFeatureInput"/> the same way.
/// </summary>
public sealed class OfflineRankingFeatures
{
    private const long Day = 86_400;

    private readonly float[] _itemCount, _item7d, _item30d, _itemAgeDays;
    private readonly ulong[] _itemMask;
    private readonly RankingUserFeatures[] _users;
    private readonly long[] _userLast;
    private readonly float[] _categoryShare;
    private readonly int[] _recent;
    private readonly int[] _recentCount;
    private readonly ContentEncoder? _content;

    public OfflineRankingFeatures(TrainingData data, RankingFeatureSchema schema, ContentEncoder? content = null, int recentItems = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recentItems, 1);
        Schema = schema;
        _content = content;
        RecentItems = recentItems;
        InteractionSet events = data.Events;
        int users = data.UserCount, items = data.ItemCount, categories = schema.Categories.Count;
        long now = events.MaxTimestamp();
        Now = now;
        _itemCount = new float[items];
        _item7d = new float[items];
        _item30d = new float[items];
        _itemAgeDays = new float[items];
        var firstSeen = new long[items];
        Array.Fill(firstSeen, long.MaxValue);
        var userCount = new float[users];
        var userRecent = new float[users];
        _userLast = new long[users];
        for (int e = 0; e < events.Count; e++)
        {
            int i = events.ItemOrdinals[e], u = events.UserOrdinals[e];
            long t = events.Timestamps[e];
            _itemCount[i]++;
            if (now - t < 7 * Day)
                _item7d[i]++;
            if (now - t < 30 * Day)
            {
                _item30d[i]++;
                userRecent[u]++;
            }
            firstSeen[i] = Math.Min(firstSeen[i], t);
            userCount[u]++;
            _userLast[u] = Math.Max(_userLast[u], t);
        }
        for (int i = 0; i < items; i++)
            _itemAgeDays[i] = firstSeen[i] == long.MaxValue ? 0f : (now - firstSeen[i]) / (float)Day;

        _itemMask = new ulong[items];
        if (data.Catalog is { } catalog && categories > 0)
        {
            var bit = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int c = 0; c < categories; c++)
                bit[schema.Categories[c]] = c;
            for (int i = 0; i < Math.Min(items, catalog.Count); i++)
            {
                foreach (string name in catalog.Categories(i))
                {
                    if (bit.TryGetValue(name, out int c))
                        _itemMask[i] |= 1UL << c;
                }
            }
        }

        // Per-user sums over the history: category counts (-> shares) and mainstreamness.
        _categoryShare = new float[users * categories];
        _users = new RankingUserFeatures[users];
        InteractionMatrix m = data.Matrix;
        for (int u = 0; u < users; u++)
        {
            ReadOnlySpan<int> history = m.Columns(u);
            Span<float> share = _categoryShare.AsSpan(u * categories, categories);
            double taste = 0;
            foreach (int i in history)
            {
                taste += Math.Log(1 + _itemCount[i]);
                for (ulong mask = _itemMask[i]; mask != 0; mask &= mask - 1)
                    share[System.Numerics.BitOperations.TrailingZeroCount(mask)]++;
            }
            if (history.Length > 0)
            {
                for (int c = 0; c < categories; c++)
                    share[c] /= history.Length;
            }
            UserDemographics? d = data.Demographics;
            string gender = d is null ? "" : d.Gender(u);
            _users[u] = new RankingUserFeatures
            {
                Interactions = userCount[u],
                RecentInteractions = userRecent[u],
                Age = d?.Age(u) ?? 0,
                Gender = gender == "F" ? UserGender.Female : gender == "M" ? UserGender.Male : UserGender.Unknown,
                Mainstreamness = history.Length == 0 ? 0f : (float)(taste / history.Length),
            };
        }

        // The last `recentItems` events of each user by time (ties by event order).
        _recent = new int[users * recentItems];
        _recentCount = new int[users];
        int[] order = Enumerable.Range(0, events.Count).ToArray();
        Array.Sort(order, (a, b) => events.Timestamps[a] != events.Timestamps[b] ? events.Timestamps[b].CompareTo(events.Timestamps[a]) : b.CompareTo(a));
        foreach (int e in order)
        {
            int u = events.UserOrdinals[e];
            if (_recentCount[u] < recentItems)
                _recent[u * recentItems + _recentCount[u]++] = events.ItemOrdinals[e];
        }
    }

    public RankingFeatureSchema Schema { get; }

    /// <summary>The newest training event (unix seconds): "now" for the counters.</summary>
    public long Now { get; }

    public int RecentItems { get; }

    /// <summary>Content vector dimension (0 without a content model): the profile scratch size.</summary>
    public int ContentDimension => _content?.Dimension ?? 0;

    public RankingUserFeatures User(int user) => _users[user];

    /// <summary>The context offline: home surface at the time of the user's newest training event.</summary>
    public RankingContext Context(int user) => RankingContext.At(_userLast[user]);

    public ReadOnlySpan<float> CategoryShare(int user) => _categoryShare.AsSpan(user * Schema.Categories.Count, Schema.Categories.Count);

    public ReadOnlySpan<int> RecentHistory(int user) => _recent.AsSpan(user * RecentItems, _recentCount[user]);

    /// <summary>Writes the item columns of <paramref name="items"/> (each span at least items.Length long).</summary>
    public void FillItems(ReadOnlySpan<int> items, Span<float> interactions, Span<float> interactions7d, Span<float> interactions30d,
        Span<float> ageDays, Span<ulong> categoryMask)
    {
        for (int c = 0; c < items.Length; c++)
        {
            int i = items[c];
            interactions[c] = _itemCount[i];
            interactions7d[c] = _item7d[i];
            interactions30d[c] = _item30d[i];
            ageDays[c] = _itemAgeDays[i];
            categoryMask[c] = _itemMask[i];
        }
    }

    /// <summary>
    /// Cosine of each item's content vector with the normalised mean of the user's recent items; zeros without a
    /// content model or history. <paramref name="profile"/> is scratch of <see cref="ContentDimension"/> floats.
    /// </summary>
    public void ContentSimilarity(int user, ReadOnlySpan<int> items, Span<float> similarity, Span<float> profile)
    {
        ReadOnlySpan<int> recent = RecentHistory(user);
        if (_content is null || recent.IsEmpty)
        {
            similarity[..items.Length].Clear();
            return;
        }
        _content.BuildProfile(recent, default, profile);
        for (int c = 0; c < items.Length; c++)
            similarity[c] = DotProduct.Compute(profile[.._content.Dimension], _content.ItemVector(items[c]));
    }

    /// <summary>
    /// Generates <paramref name="user"/>'s candidates and writes their feature rows into <paramref name="scratch"/>'s
    /// tensor, exactly as the pipeline does from the feature store; returns the candidate count.
    /// </summary>
    public int Assemble(int user, RankingCandidateGenerator generator, RankingFeatureAssembler assembler, OfflineRankingScratch scratch)
    {
        RankingCandidates candidates = scratch.Candidates;
        generator.Generate(user, candidates);
        int n = candidates.Count;
        ReadOnlySpan<int> items = candidates.CandidateItems;
        FillItems(items, scratch.Interactions, scratch.Interactions7d, scratch.Interactions30d, scratch.AgeDays, scratch.CategoryMask);
        ContentSimilarity(user, items, scratch.Similarity, scratch.Profile);
        var input = new RankingFeatureInput
        {
            User = User(user),
            Context = Context(user),
            UserCategoryShare = CategoryShare(user),
            ItemInteractions = scratch.Interactions.AsSpan(0, n),
            ItemInteractions7d = scratch.Interactions7d.AsSpan(0, n),
            ItemInteractions30d = scratch.Interactions30d.AsSpan(0, n),
            ItemAgeDays = scratch.AgeDays.AsSpan(0, n),
            ItemCategoryMask = scratch.CategoryMask.AsSpan(0, n),
            ContentSimilarity = scratch.Similarity.AsSpan(0, n),
            SourceScores = candidates.SourceScores,
            SourceRanks = candidates.SourceRanks,
        };
        assembler.Assemble(input, n, scratch.Tensor);
        return n;
    }
}
