using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Features;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.FeatureAssembly;

/// <summary>
/// Fills a <see cref="RankerInput"/> for a learned ranker: the item counters in ONE batch read of the store (all users,
/// as of the request time), everything else from memory (the live catalog, the request context, the models), into
/// pooled columns: no allocation and no store call per candidate. The values are the raw ones the ranking feature
/// schema defines (<see cref="RankingFeatureWriter"/> scales them); offline training computes the same from data.
/// </summary>
internal static class RankerInputFiller
{
    public static async ValueTask FillAsync(IFeatureStore store, RequestContext context, RankerInput input, CancellationToken cancellationToken)
    {
        CandidateSet set = input.Candidates;
        int n = set.Count;
        var profile = context.Profile;
        input.User = new UserFeatures(context.UserId, context.Segment, profile?.AgeBucket ?? 0, profile?.Gender ?? 0,
            context.InteractionCount, context.IsNewUser, !context.CfVector.IsEmpty, profile?.OnboardingCategories.Length ?? 0);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(context.NowMs);
        input.Context = new ContextFeatures(context.Surface.Name, context.Surface.Code, now.Hour, (int)now.DayOfWeek, context.NowMs);

        var ids = new ReadOnlyMemory<long>(set.ItemIdArray, 0, n);
        var counters = new Memory<double>(input.CounterBuffer, 0, n);
        await store.GetItemCountersAsync(ids, -1, context.NowMs, counters, cancellationToken).ConfigureAwait(false);
        float[] popularity = input.PopularityColumn;
        for (int i = 0; i < n; i++)
            popularity[i] = (float)input.CounterBuffer[i];
        FillFromMemory(context, input);
        input.HasFeatures = true;
    }

    private static void FillFromMemory(RequestContext context, RankerInput input)
    {
        CandidateSet set = input.Candidates;
        var catalog = context.Catalog;
        var als = context.Models.AlsRows;
        var content = context.ContentRows;
        ReadOnlySpan<float> cf = context.CfVector;
        ReadOnlySpan<float> history = context.HistoryProfile;
        ReadOnlySpan<int> ordinals = set.Ordinals;
        Span<float> age = input.AgeHoursColumn;
        Span<int> impressions = input.ImpressionsColumn;
        Span<float> similarity = input.ContentSimilarityColumn;
        Span<float> cfScore = input.CfScoreColumn;
        for (int i = 0; i < ordinals.Length; i++)
        {
            int item = ordinals[i];
            long published = catalog.PublishedAtMs(item);
            age[i] = published > 0 ? Math.Max(0f, (float)((context.NowMs - published) / 3_600_000.0)) : -1f;
            impressions[i] = catalog.Impressions(item);
            input.SetCategories(i, catalog.CategoriesOf(item));
            ReadOnlySpan<float> row = content is null ? default : content.Row(item);
            similarity[i] = !history.IsEmpty && row.Length == history.Length ? DotProduct.Compute(history, row) : float.NaN;
            // A trained row (zeros for an item trained without events: score 0), a folded-in one, or none (NaN).
            ReadOnlySpan<float> cfRow = als is null || cf.IsEmpty ? default : als.StoredRow(item);
            cfScore[i] = cfRow.Length == cf.Length && !cf.IsEmpty ? DotProduct.Compute(cf, cfRow) : float.NaN;
        }
    }
}
