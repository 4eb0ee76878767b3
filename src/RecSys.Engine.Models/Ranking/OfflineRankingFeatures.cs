using System.Numerics.Tensors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Popularity;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// What serving reads from the feature store and the in-memory catalog, computed offline from the same interaction
/// data and models, so offline training fills <see cref="RankingFeatureInput"/> with the very numbers the pipeline
/// fills it with for the same (user, item, time). The pipeline's side is its feature writer; a test holds the two to
/// equality on a real feature store. Offline stands in for the store as the serving bootstrap loads it:
/// <code>
///   events, oldest first (the bootstrap's order)  -> per item: the store's decayed counter, replayed with its arithmetic
///                                                 -> per user: the newest HistoryWindow events = the store's history read
///        history window -> history length, distinct items (newest first) -> category shares, content profile
///   demographics -> the profile's codes (age band, gender)        ALS user row -> the CF vector of a trained user
///   catalog -> category masks; publish times -> item age          "now" -> the context (home surface)
/// </code>
/// Immutable after construction; thread-safe with one <see cref="OfflineRankingScratch"/> per thread.
/// </summary>
public sealed class OfflineRankingFeatures
{
    private const long DayMs = 86_400_000;

    private readonly float[] _trend, _ageHours;
    private readonly ulong[] _itemMask;
    private readonly RankingUserFeatures[] _users;
    private readonly float[] _categoryShare;
    private readonly int[] _recentStart;
    private readonly int[] _recent;
    private readonly ContentEncoder? _content;
    private readonly ImplicitAls? _als;

    /// <param name="data">The events the feature store holds (what the bootstrap loaded, or a training split of it).</param>
    /// <param name="content">The content model whose item vectors the catalog serves (content similarity); null = unknown.</param>
    /// <param name="als">The ALS model whose user rows are the CF vectors (CF score); null = unknown.</param>
    /// <param name="nowMs">The request time (unix ms) the counters and context are read at; default a day after the newest event.</param>
    /// <param name="publishedAtMs">Publish time of an item ordinal in unix ms (0 = unknown), as the bootstrap was given it; null = all unknown.</param>
    public OfflineRankingFeatures(TrainingData data, RankingFeatureSchema schema, ContentEncoder? content = null, ImplicitAls? als = null,
        long? nowMs = null, Func<int, long>? publishedAtMs = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(schema);
        if (content is not null && content.ItemCount < data.ItemCount)
            throw new ArgumentException($"the content model has {content.ItemCount} items, the data {data.ItemCount}", nameof(content));
        if (als is not null && (als.ItemCount < data.ItemCount || als.UserCount < data.UserCount))
            throw new ArgumentException($"the ALS model has {als.UserCount} users x {als.ItemCount} items, the data {data.UserCount} x {data.ItemCount}", nameof(als));
        Schema = schema;
        _content = content;
        _als = als;
        InteractionSet events = data.Events;
        int users = data.UserCount, items = data.ItemCount, categories = schema.Categories.Count;
        NowMs = nowMs ?? events.MaxTimestamp() * 1000 + DayMs;
        Context = RankingContext.At(NowMs);
        int[] order = BootstrapOrder(events);

        _trend = ReplayCounters(events, order, items, NowMs, schema.CounterHalfLifeHours * 3_600_000.0);
        _ageHours = new float[items];
        for (int i = 0; i < items; i++)
        {
            long published = publishedAtMs?.Invoke(i) ?? 0;
            _ageHours[i] = published > 0 ? Math.Max(0f, (float)((NowMs - published) / 3_600_000.0)) : -1f;
        }
        _itemMask = CategoryMasks(data.Catalog, schema, items);

        // Each user's events in the order the store appended them; the history read walks them newest first.
        var byUser = new int[events.Count];
        var userStart = new int[users + 1];
        foreach (int e in order)
            userStart[events.UserOrdinals[e] + 1]++;
        for (int u = 0; u < users; u++)
            userStart[u + 1] += userStart[u];
        var fill = userStart[..users];
        foreach (int e in order)
            byUser[fill[events.UserOrdinals[e]]++] = e;

        int window = schema.HistoryWindow;
        _users = new RankingUserFeatures[users];
        _recentStart = new int[users + 1];
        var recent = new List<int>();
        var taken = new int[items]; // user + 1 when the item is already among that user's recent items
        _categoryShare = new float[users * categories];
        UserDemographics? demographics = data.Demographics;
        for (int u = 0; u < users; u++)
        {
            int first = recent.Count, length = 0;
            for (int p = userStart[u + 1] - 1; p >= userStart[u] && length < window; p--, length++)
            {
                int item = events.ItemOrdinals[byUser[p]];
                if (taken[item] == u + 1)
                    continue;
                taken[item] = u + 1;
                recent.Add(item);
            }
            _recentStart[u + 1] = recent.Count;
            int distinct = recent.Count - first;
            Span<float> share = _categoryShare.AsSpan(u * categories, categories);
            for (int r = first; r < recent.Count; r++)
            {
                for (ulong mask = _itemMask[recent[r]]; mask != 0; mask &= mask - 1)
                    share[System.Numerics.BitOperations.TrailingZeroCount(mask)] += 1;
            }
            if (distinct > 0)
            {
                for (int c = 0; c < categories; c++)
                    share[c] /= distinct;
            }
            bool known = demographics is not null && u < demographics.Count;
            _users[u] = new RankingUserFeatures
            {
                HistoryLength = length,
                AgeBucket = known ? UserSegments.AgeBucketCode(demographics!.Age(u)) : (byte)0,
                Gender = known ? (UserGender)UserSegments.GenderCode(demographics!.Gender(u)) : UserGender.Unknown,
            };
        }
        _recent = [.. recent];
    }

    public RankingFeatureSchema Schema { get; }

    /// <summary>The request time every counter and the context are read at (unix ms).</summary>
    public long NowMs { get; }

    /// <summary>The context offline: the home surface at <see cref="NowMs"/>.</summary>
    public RankingContext Context { get; }

    /// <summary>Content vector dimension (0 without a content model): the profile scratch size.</summary>
    public int ContentDimension => _content?.Dimension ?? 0;

    public RankingUserFeatures User(int user) => _users[user];

    public ReadOnlySpan<float> CategoryShare(int user) => _categoryShare.AsSpan(user * Schema.Categories.Count, Schema.Categories.Count);

    /// <summary>The distinct items of the user's history window, newest first.</summary>
    public ReadOnlySpan<int> RecentHistory(int user) => _recent.AsSpan(_recentStart[user], _recentStart[user + 1] - _recentStart[user]);

    /// <summary>
    /// The raw input of <paramref name="user"/>'s request for <paramref name="items"/>: every column but the sources'
    /// (the caller's candidate list brings those), in <paramref name="scratch"/>'s buffers.
    /// </summary>
    public RankingFeatureInput Input(int user, ReadOnlySpan<int> items, OfflineRankingScratch scratch)
    {
        int n = items.Length;
        scratch.Ensure(n, ContentDimension);
        Span<float> trend = scratch.Trend.AsSpan(0, n), age = scratch.AgeHours.AsSpan(0, n);
        Span<float> similarity = scratch.Similarity.AsSpan(0, n), cf = scratch.Cf.AsSpan(0, n);
        Span<ulong> masks = scratch.CategoryMask.AsSpan(0, n);
        for (int c = 0; c < n; c++)
        {
            int i = items[c];
            trend[c] = _trend[i];
            age[c] = _ageHours[i];
            masks[c] = _itemMask[i];
        }
        ContentSimilarity(user, items, similarity, scratch.Profile);
        ReadOnlySpan<float> vector = _als is null ? default : _als.UserRow(user);
        bool hasVector = vector.ContainsAnyExcept(0f);
        for (int c = 0; c < n; c++)
            cf[c] = hasVector ? DotProduct.Compute(vector, _als!.ItemRow(items[c])) : float.NaN;
        return new RankingFeatureInput
        {
            User = _users[user],
            Context = Context,
            UserCategoryShare = CategoryShare(user),
            ItemTrend = trend,
            ItemAgeHours = age,
            ItemCategoryMask = masks,
            ContentSimilarity = similarity,
            CfScore = cf,
        };
    }

    /// <summary>
    /// Generates <paramref name="user"/>'s candidates and writes their feature rows into <paramref name="scratch"/>'s
    /// tensor; returns the candidate count.
    /// </summary>
    public int Assemble(int user, RankingCandidateGenerator generator, RankingFeatureAssembler assembler, OfflineRankingScratch scratch)
    {
        RankingCandidates candidates = scratch.Candidates ?? throw new ArgumentException("the scratch was made without a candidate generator", nameof(scratch));
        generator.Generate(user, candidates);
        int n = candidates.Count;
        RankingFeatureInput input = Input(user, candidates.CandidateItems, scratch);
        input.SourceScores = candidates.SourceScores;
        input.SourceRanks = candidates.SourceRanks;
        scratch.EnsureTensor(n * Schema.Count);
        assembler.Assemble(input, n, scratch.Tensor);
        return n;
    }

    /// <summary>
    /// The pipeline's content similarity: the content vectors of the user's recent items (those with one) summed in
    /// history order and normalised (its history profile), dotted with each item's vector; NaN without either.
    /// </summary>
    private void ContentSimilarity(int user, ReadOnlySpan<int> items, Span<float> similarity, Span<float> profile)
    {
        int used = 0;
        if (_content is not null)
        {
            profile = profile[.._content.Dimension];
            profile.Clear();
            foreach (int item in RecentHistory(user))
            {
                ReadOnlySpan<float> row = _content.ItemVector(item);
                if (!row.ContainsAnyExcept(0f))
                    continue;
                TensorPrimitives.Add(profile, row, profile);
                used++;
            }
            if (used > 0)
                CosineSimilarity.Normalize(profile);
        }
        for (int c = 0; c < items.Length; c++)
        {
            ReadOnlySpan<float> row = used == 0 ? default : _content!.ItemVector(items[c]);
            similarity[c] = used > 0 && row.ContainsAnyExcept(0f) ? DotProduct.Compute(profile, row) : float.NaN;
        }
    }

    /// <summary>The serving bootstrap's load order: events by timestamp, oldest first (the same sort on the same keys, so ties fall the same way).</summary>
    private static int[] BootstrapOrder(InteractionSet events)
    {
        var order = new int[events.Count];
        for (int e = 0; e < order.Length; e++)
            order[e] = e;
        var times = (long[])events.Timestamps.Clone();
        Array.Sort(times, order);
        return order;
    }

    /// <summary>
    /// Each item's decayed counter as of <paramref name="nowMs"/>, with the feature store's arithmetic (its
    /// DecayedCounter): events applied in load order, the first sets (value, time), a later one decays the score to its
    /// time and adds, an earlier one is decayed to the counter's time; read at now by decaying from the last update.
    /// </summary>
    private static float[] ReplayCounters(InteractionSet events, int[] order, int items, long nowMs, double halfLifeMs)
    {
        var score = new double[items];
        var last = new long[items];
        foreach (int e in order)
        {
            int i = events.ItemOrdinals[e];
            long t = events.Timestamps[e] * 1000;
            double value = events.Values[e];
            if (score[i] == 0 && last[i] == 0)
                (score[i], last[i]) = (value, t);
            else if (t >= last[i])
                (score[i], last[i]) = (score[i] * Math.Pow(2.0, -(t - last[i]) / halfLifeMs) + value, t);
            else
                score[i] += value * Math.Pow(2.0, -(last[i] - t) / halfLifeMs);
        }
        var trend = new float[items];
        for (int i = 0; i < items; i++)
            trend[i] = (float)(nowMs <= last[i] ? score[i] : score[i] * Math.Pow(2.0, -(nowMs - last[i]) / halfLifeMs));
        return trend;
    }

    private static ulong[] CategoryMasks(ItemCatalog? catalog, RankingFeatureSchema schema, int items)
    {
        var masks = new ulong[items];
        if (catalog is null || schema.Categories.Count == 0)
            return masks;
        var bit = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < schema.Categories.Count; c++)
            bit[schema.Categories[c]] = c;
        for (int i = 0; i < Math.Min(items, catalog.Count); i++)
        {
            foreach (string name in catalog.Categories(i))
            {
                if (bit.TryGetValue(name, out int c))
                    masks[i] |= 1UL << c;
            }
        }
        return masks;
    }
}
