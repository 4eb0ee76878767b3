using System.Numerics.Tensors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline;

public sealed partial class RecommendationPipeline
{
    /// <summary>
    /// Everything the sources need about the user, from three store reads (profile, recent history, CF vector):
    /// <code>
    ///   history (newest first) -> interactions: seen set, distinct recent items (seeds), category shares
    ///   older seen items   (only when the history is full) the items of interactions it dropped: seen set
    ///                          -> impressions with the surface's code: already shown on this surface
    ///   CF vector     stored by this model (fold-in after the last events) | trained row (ALS user map), unless the
    ///                 user has interactions newer than the model's training data (then another version folded them
    ///                 in) | folded in now from the recent items | none (a new user)
    ///   content       history profile = normalised sum of the recent items' content vectors; content profile =
    ///                 that sum + OnboardingWeight x the onboarding categories' vector, normalised (cold start)
    ///   query         search: the request's vector, or its text through the content encoder
    /// </code>
    /// </summary>
    private async ValueTask BuildUserContextAsync(RequestContext context, RequestScratch scratch, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ItemId is { } pageItem)
        {
            if (!_catalog.Items.TryGetOrdinal(pageItem, out int seed))
                throw new UnknownItemException(pageItem, nameof(RecommendRequest.ItemId));
            context.SeedItem = seed;
            context.Deny(seed); // the page's own item is never its own recommendation
        }
        ApplyRequestFilters(context, request.Filters);

        var profile = await _store.GetUserProfileAsync(request.UserId, cancellationToken).ConfigureAwait(false);
        context.Profile = profile;
        context.Segment = profile?.Segment ?? -1;
        // Windows count interactions only: the store keeps impressions apart (they never push interactions out), and
        // one read returns both, interleaved by time.
        int window = context.Config.HistoryWindow;
        // 0: every interaction the record holds (one written under a larger capacity may hold more until its next event).
        int seenWindow = context.Config.SeenWindow == 0 ? int.MaxValue : Math.Max(window, context.Config.SeenWindow);
        var history = await _store.GetRecentHistoryAsync(request.UserId, StoredHistoryLength, cancellationToken).ConfigureAwait(false);
        int interactions = 0, position = 0;
        long newestInteractionMs = 0;
        for (int i = 0; i < history.Length; i++)
        {
            var e = history[i];
            bool known = _catalog.Items.TryGetOrdinal(e.ItemId, out int item);
            if (e.Type == EventType.Impression)
            {
                if (known && e.Value == context.Surface.Code)
                    context.AddShown(item);
                continue;
            }
            newestInteractionMs = Math.Max(newestInteractionMs, e.TimestampMs);
            int at = position++;
            if (!known || at >= seenWindow)
                continue;
            if (at >= window)
            {
                // Older than the window: it only keeps the item out of the answer.
                context.AddSeen(item);
                continue;
            }
            interactions++;
            bool first = !context.IsSeen(item);
            context.AddSeen(item);
            if (first && e.Type != EventType.Dislike)
            {
                context.AddRecent(item);
                context.CountCategories(_catalog.CategoriesOf(item));
            }
        }
        if (context.Config.SeenWindow == 0 && position >= _store.HistoryCapacity && _store.SeenCapacity > 0)
        {
            // A full history may have dropped older interactions: the store keeps their items apart, and they stay out
            // of the answer too. Users whose history never filled pay no extra read.
            foreach (long id in await _store.GetOlderSeenItemsAsync(request.UserId, cancellationToken).ConfigureAwait(false))
            {
                if (_catalog.Items.TryGetOrdinal(id, out int item))
                    context.AddSeen(item);
            }
        }
        context.InteractionCount = interactions;
        context.FinishCategoryShares(context.RecentItems.Length);

        await LoadCfVectorAsync(context, scratch, newestInteractionMs, cancellationToken).ConfigureAwait(false);
        BuildContentProfiles(context, scratch);
        BuildQuery(context);
    }

    /// <summary>
    /// Every event the store keeps for a user: its interactions and, apart from them, its impressions of each surface
    /// (bounded per surface, so the record's length has no fixed bound here; the store decodes the whole record anyway).
    /// </summary>
    private const int StoredHistoryLength = int.MaxValue;

    private void ApplyRequestFilters(RequestContext context, RequestFilters? filters)
    {
        if (filters is null || filters.IsEmpty)
            return;
        if (filters.IncludeCategories is { Count: > 0 } include)
        {
            bool any = false;
            foreach (string name in include)
            {
                if (_catalog.Categories.TryGetId(name, out int id))
                {
                    context.IncludeCategory(id);
                    any = true;
                }
            }
            if (!any)
                context.MarkAllowList(); // only unknown categories: nothing qualifies
        }
        foreach (string name in filters.ExcludeCategories ?? [])
        {
            if (_catalog.Categories.TryGetId(name, out int id))
                context.ExcludeCategory(id);
        }
        if (filters.AllowItems is { } allow)
        {
            context.MarkAllowList();
            foreach (long id in allow)
            {
                if (_catalog.Items.TryGetOrdinal(id, out int item))
                    context.AllowOnly(item);
            }
        }
        foreach (long id in filters.DenyItems ?? [])
        {
            if (_catalog.Items.TryGetOrdinal(id, out int item))
                context.Deny(item);
        }
    }

    private async ValueTask LoadCfVectorAsync(RequestContext context, RequestScratch scratch, long newestInteractionMs, CancellationToken cancellationToken)
    {
        var models = context.Models;
        if (models.Als is not { } als)
            return;
        int k = als.Factors;
        float[]? stored = await _store.GetCfVectorAsync(context.UserId, cancellationToken).ConfigureAwait(false);
        if (stored is not null && CfVectorTags.Matches(stored, k, models.CfVectorTag))
        {
            stored.AsSpan(0, k).CopyTo(context.CfBuffer(k));
            return;
        }
        // A stored vector of another model was folded in by the version active when the user's events came. If some of
        // those events are newer than this model's training data (a variant pinned to an older version, or a version
        // swapped in that was trained before them), its trained row knows nothing of them: fold the history in afresh.
        // Otherwise (a retrain that saw them) the trained row is the better vector, and costs no solve.
        bool eventsSinceTraining = stored is not null && (models.TrainedUntilMs <= 0 || newestInteractionMs > models.TrainedUntilMs);
        if (!eventsSinceTraining && models.AlsUsers is { } users && users.TryGetOrdinal(context.UserId, out int user) && user < als.UserCount)
        {
            ReadOnlySpan<float> row = als.UserRow(user);
            if (row.ContainsAnyExcept(0f))
            {
                row.CopyTo(context.CfBuffer(k));
                return;
            }
        }
        FoldInRecent(context, scratch, als);
    }

    /// <summary>A user with history but no CF vector of this model yet: fold the recent items in now (exact, a k x k solve).</summary>
    private static void FoldInRecent(RequestContext context, RequestScratch scratch, ImplicitAls als)
    {
        var rows = context.Models.AlsRows!;
        int k = als.Factors;
        ReadOnlySpan<int> recent = context.RecentItems;
        float[] gathered = RequestScratch.Ensure(ref scratch.FoldInRows, recent.Length * k);
        int n = 0;
        foreach (int item in recent)
        {
            // Trained items (an all-zero row too, as before items were folded in) and items folded in since.
            ReadOnlySpan<float> row = rows.StoredRow(item);
            if (!row.IsEmpty)
                row.CopyTo(gathered.AsSpan(n++ * k, k));
        }
        if (n == 0)
            return;
        als.FoldInFromRows(gathered, n, context.CfBuffer(k), FoldInScratch.For(ref scratch.FoldIn, k));
    }

    private void BuildContentProfiles(RequestContext context, RequestScratch scratch)
    {
        // The version's own rows: the profile is matched against its index and its query encoding, so it must be in its vocabulary.
        var table = context.ContentRows;
        if (table is null)
            return;
        int dim = table.Dimension;
        Span<float> sum = context.ContentBuffer(dim);
        int used = 0;
        foreach (int item in context.RecentItems)
        {
            ReadOnlySpan<float> row = table.Row(item);
            if (row.IsEmpty)
                continue;
            TensorPrimitives.Add(sum, row, sum);
            used++;
        }
        if (used > 0)
        {
            Span<float> history = context.HistoryBuffer(dim);
            sum.CopyTo(history);
            CosineSimilarity.Normalize(history);
        }
        bool onboarded = AddOnboarding(context, scratch, sum);
        if (used == 0 && !onboarded)
        {
            context.ClearContent();
            return;
        }
        CosineSimilarity.Normalize(sum);
    }

    /// <summary>Adds the onboarding categories' content direction to <paramref name="sum"/>; false when the user picked none the encoder knows.</summary>
    private bool AddOnboarding(RequestContext context, RequestScratch scratch, Span<float> sum)
    {
        var vocabulary = context.Models.Content;
        int[]? picked = context.Profile?.OnboardingCategories;
        if (vocabulary is null || picked is null || picked.Length == 0 || context.Config.OnboardingWeight == 0)
            return false;
        float[] onboarding = RequestScratch.Ensure(ref scratch.Column, vocabulary.Dimension);
        vocabulary.Encode("", _catalog.CategoryNames(picked), [], onboarding);
        Span<float> v = onboarding.AsSpan(0, vocabulary.Dimension);
        if (!v.ContainsAnyExcept(0f))
            return false;
        TensorPrimitives.MultiplyAdd(v, context.Config.OnboardingWeight, sum, sum);
        return true;
    }

    private static void BuildQuery(RequestContext context)
    {
        var request = context.Request;
        var vocabulary = context.Models.Content;
        if (request.QueryVector is { } given)
        {
            int dim = vocabulary?.Dimension ?? given.Length;
            if (given.Length != dim)
                throw new ArgumentException($"the query vector has {given.Length} values; the content space has {dim}", nameof(RecommendRequest.QueryVector));
            foreach (float v in given)
            {
                if (!float.IsFinite(v))
                    throw new ArgumentException("the query vector holds a NaN or infinite value", nameof(RecommendRequest.QueryVector));
            }
            Span<float> q = context.QueryBuffer(dim);
            given.CopyTo(q);
            if (!CosineSimilarity.Normalize(q))
                context.ClearQuery();
            return;
        }
        if (string.IsNullOrWhiteSpace(request.QueryText) || vocabulary is null)
            return;
        // The text as a title and as a tag, so it meets both kinds of item tokens.
        Span<float> query = context.QueryBuffer(vocabulary.Dimension);
        vocabulary.Encode(request.QueryText, [], [request.QueryText], query);
        if (!query.ContainsAnyExcept(0f))
            context.ClearQuery();
    }
}
