using Microsoft.Extensions.Logging;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.FeatureAssembly;
using RecSys.Engine.Pipeline.Merge;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;

namespace RecSys.Engine.Pipeline;

public sealed partial class RecommendationPipeline
{
    /// <summary>
    /// Answers <paramref name="request"/> with the active version, or with the version of the user's variant when an
    /// experiment runs on the surface (the response names it, and its counters count it).
    /// </summary>
    public ValueTask<RecommendResponse> RecommendAsync(RecommendRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (version, variant) = AcquireRoute(request.UserId, request.Surface ?? "");
        return RecommendAcquiredAsync(request, version, variant, cancellationToken);
    }

    /// <summary>Answers <paramref name="request"/> with <paramref name="version"/> (no experiment); a released version is an <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask<RecommendResponse> RecommendAsync(RecommendRequest request, PipelineVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(version);
        if (!version.TryAcquire())
            throw new ObjectDisposedException(version.Name, $"version {version.Name} is released and cannot serve");
        return RecommendAcquiredAsync(request, version, null, cancellationToken);
    }

    /// <summary>The request path on <paramref name="version"/>, whose reference the caller took; released here, at the end.</summary>
    private async ValueTask<RecommendResponse> RecommendAcquiredAsync(RecommendRequest request, PipelineVersion version, Experiments.VariantCounters? variant,
        CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(request, version, variant, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            version.Release();
        }
    }

    private async ValueTask<RecommendResponse> RunAsync(RecommendRequest request, PipelineVersion version, Experiments.VariantCounters? variant,
        CancellationToken cancellationToken)
    {
        var config = version.Config;
        var surface = config.Surface(request.Surface);
        int k = request.K == 0 ? surface.DefaultK : request.K;
        if (k < 1 || k > surface.MaxK)
            throw new ArgumentOutOfRangeException("k", request.K, $"k must be in 1..{surface.MaxK} on surface '{surface.Name}' (0 = its default, {surface.DefaultK})");
        Interlocked.Increment(ref Stats._requests);
        string requestId = request.RequestId ?? Guid.NewGuid().ToString("N");
        var scratch = _pool.Rent();
        bool reusable = true;
        try
        {
            var context = scratch.Context;
            long stageStart = System.Diagnostics.Stopwatch.GetTimestamp();
            context.Begin(request, config, surface, _catalog, version.Models, requestId, k, Now(request.NowMs), version.ContentRows);
            if (Volatile.Read(ref _degradation)?.CurrentShare() is { } share && share < 1f)
            {
                context.SourceShare = share;
                Interlocked.Increment(ref Stats._degraded);
            }
            await BuildUserContextAsync(context, scratch, cancellationToken).ConfigureAwait(false);
            stageStart = PipelineMetrics.Stage("user_context", stageStart);
            var trace = request.Debug ? new PipelineTrace() : null;
            // Until the sources are known to be done (a cancelled wait leaves them running), the scratch is not given back.
            reusable = false;
            var (sourcesReusable, dropped) = await RunSourcesAsync(context, version, scratch, trace, cancellationToken).ConfigureAwait(false);
            reusable = sourcesReusable;
            cancellationToken.ThrowIfCancellationRequested();
            stageStart = PipelineMetrics.Stage("sources", stageStart);

            var set = scratch.Candidates;
            CandidateMerger.Merge(context, scratch.KeptNames.AsSpan(0, scratch.KeptCount), scratch.KeptLists.AsSpan(0, scratch.KeptCount), set);
            Trace(trace, "merged", set, default);
            ApplyFilters(context, version, scratch);
            Trace(trace, "filtered", set, default);
            if (surface.Personalize)
                AddPersonalColumn(context, scratch);
            stageStart = PipelineMetrics.Stage("merge_filter", stageStart);
            await RankAsync(context, version, scratch, cancellationToken).ConfigureAwait(false);
            stageStart = PipelineMetrics.Stage("rank", stageStart);
            var post = scratch.Post;
            post.Begin(context, set, version.RulesOf(surface), _options.Logger);
            post.SortByScore(set.ScoreArray);
            Trace(trace, "ranked", set, post.ByScore);
            foreach (var stage in version.ScoreStages)
            {
                stage.Process(post);
                if (trace is not null)
                {
                    post.SortByScore(set.ScoreArray);
                    Trace(trace, "post:" + stage.Name, set, post.ByScore);
                }
            }
            post.SortByScore(set.ScoreArray);
            foreach (var stage in version.ListStages)
            {
                stage.Process(post);
                TraceRanked(trace, "post:" + stage.Name, set, post.Ranked);
            }
            var response = Respond(context, version, variant, post, dropped, trace);
            PipelineMetrics.Stage("post", stageStart);
            if (surface.RecordImpressions && response.Items.Length > 0)
                await RecordShownAsync(context, response, cancellationToken).ConfigureAwait(false);
            if (variant is not null)
                CountServed(variant, request.UserId, response);
            return response;
        }
        finally
        {
            if (reusable)
                _pool.Return(scratch);
        }
    }

    /// <summary>
    /// The email job: one answer per user (same surface, same k), <see cref="PipelineOptions.BatchParallelism"/> users
    /// at a time; answers in the order of <paramref name="userIds"/>. Every user is routed through the experiments as
    /// of the call (one read), so a swap during the batch does not split it between versions.
    /// </summary>
    public async Task<RecommendResponse[]> RecommendBatchAsync(IReadOnlyList<long> userIds, string surface, int k = 0, long? nowMs = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        var route = Volatile.Read(ref _route);
        route.Active.Config.Surface(surface); // an unknown surface fails before any work
        var responses = new RecommendResponse[userIds.Count];
        await Parallel.ForAsync(0, userIds.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.BatchParallelism, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var (version, variant) = route.Route(userIds[i], surface);
                if (!version.TryAcquire())
                    (version, variant) = AcquireRoute(userIds[i], surface); // released since the call began: its successor
                var request = new RecommendRequest { UserId = userIds[i], Surface = surface, K = k, NowMs = nowMs };
                responses[i] = await RecommendAcquiredAsync(request, version, variant, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return responses;
    }

    private static void ApplyFilters(RequestContext context, PipelineVersion version, RequestScratch scratch)
    {
        var set = scratch.Candidates;
        var keep = RequestScratch.Ensure(ref scratch.Keep, set.Count).AsSpan(0, set.Count);
        keep.Fill(true);
        foreach (var filter in version.Filters)
            filter.Apply(context, set, keep);
        set.Compact(keep);
    }

    /// <summary>Search: the user's CF affinity of each candidate as one more ranked column (the personal re-rank).</summary>
    private static void AddPersonalColumn(RequestContext context, RequestScratch scratch)
    {
        var als = context.Models.AlsRows;
        ReadOnlySpan<float> cf = context.CfVector;
        var set = scratch.Candidates;
        if (als is null || cf.IsEmpty || set.Count == 0)
            return;
        float[] column = RequestScratch.Ensure(ref scratch.Column, set.Count);
        ReadOnlySpan<int> ordinals = set.Ordinals;
        for (int i = 0; i < ordinals.Length; i++)
        {
            ReadOnlySpan<float> row = als.StoredRow(ordinals[i]);
            column[i] = row.Length == cf.Length ? DotProduct.Compute(cf, row) : float.NaN;
        }
        int source = set.AddSource(SourceNames.Personal);
        set.RankByScores(source, column, RequestScratch.Ensure(ref scratch.Order, set.Count));
    }

    private async ValueTask RankAsync(RequestContext context, PipelineVersion version, RequestScratch scratch, CancellationToken cancellationToken)
    {
        var set = scratch.Candidates;
        var input = scratch.RankerInput;
        input.Begin(context, set);
        if (set.Count == 0)
            return;
        var ranker = version.RankerFor(context.Surface);
        if (ranker.NeedsFeatures)
            await RankerInputFiller.FillAsync(_store, context, input, cancellationToken).ConfigureAwait(false);
        float[] scores = RequestScratch.Ensure(ref scratch.Scores, set.Count);
        await ranker.ScoreAsync(input, scores.AsMemory(0, set.Count), cancellationToken).ConfigureAwait(false);
        Span<float> target = set.Scores;
        for (int i = 0; i < target.Length; i++)
            target[i] = float.IsNaN(scores[i]) ? float.NegativeInfinity : scores[i];
    }

    private RecommendResponse Respond(RequestContext context, PipelineVersion version, Experiments.VariantCounters? variant, PostProcessContext post,
        List<string>? dropped, PipelineTrace? trace)
    {
        var set = post.Candidates;
        var ranked = post.Ranked;
        var items = new RecommendedItem[ranked.Count];
        bool countImpressions = context.Config.CountServedImpressions;
        for (int p = 0; p < items.Length; p++)
        {
            int c = ranked.Candidate(p);
            int ordinal = set.Ordinals[c];
            items[p] = new RecommendedItem(set.ItemIds[c], _catalog.Items.NameOf(ordinal), ranked.Score(p), set.SourceNameOf(c), ranked.IsExploration(p), ranked.Propensity(p));
            if (countImpressions)
                _catalog.AddImpression(ordinal);
        }
        TraceRanked(trace, "final", set, ranked);
        return new RecommendResponse
        {
            RequestId = context.RequestId,
            Surface = context.Surface.Name,
            Version = version.Name,
            Experiment = variant?.Experiment,
            Variant = variant?.Variant,
            Ranker = version.RankerFor(context.Surface).Name,
            Items = items,
            DroppedSources = dropped is null ? [] : dropped,
            SourceShare = context.SourceShare,
            Trace = trace,
        };
    }

    /// <summary>The email surface logs what it sent, as impressions whose value is the surface's code (the "already sent" filter reads them).</summary>
    private async ValueTask RecordShownAsync(RequestContext context, RecommendResponse response, CancellationToken cancellationToken)
    {
        var events = new UserEvent[response.Items.Length];
        for (int i = 0; i < events.Length; i++)
            events[i] = new UserEvent(context.UserId, response.Items[i].ItemId, EventType.Impression, context.Surface.Code, context.NowMs, context.Segment);
        await _store.AppendEventsAsync(events, cancellationToken).ConfigureAwait(false);
    }

    // ---- debug trace (allocates, only when the request asked for it) ----

    private static void Trace(PipelineTrace? trace, string stage, CandidateSet set, ReadOnlySpan<int> order)
    {
        if (trace is null)
            return;
        int n = order.IsEmpty ? set.Count : order.Length;
        var ids = new long[n];
        var scores = new float[n];
        var sources = new string[n];
        for (int r = 0; r < n; r++)
        {
            int i = order.IsEmpty ? r : order[r];
            ids[r] = set.ItemIds[i];
            scores[r] = set.Scores[i];
            sources[r] = set.SourceNameOf(i);
        }
        trace.Add(new StageTrace(stage, ids, scores, sources));
    }

    private static void TraceRanked(PipelineTrace? trace, string stage, CandidateSet set, RankedList ranked)
    {
        if (trace is null)
            return;
        var ids = new long[ranked.Count];
        var scores = new float[ranked.Count];
        var sources = new string[ranked.Count];
        for (int p = 0; p < ids.Length; p++)
        {
            int c = ranked.Candidate(p);
            ids[p] = set.ItemIds[c];
            scores[p] = ranked.Score(p);
            sources[p] = set.SourceNameOf(c);
        }
        trace.Add(new StageTrace(stage, ids, scores, sources));
    }

    private static void TraceSource(PipelineTrace? trace, string name, CandidateList list, Models.Data.CatalogIdMap items)
    {
        if (trace is null)
            return;
        var ids = new long[list.Count];
        var sources = new string[list.Count];
        for (int r = 0; r < ids.Length; r++)
        {
            ids[r] = items.ExternalId(list.Ordinals[r]);
            sources[r] = name;
        }
        trace.Add(new StageTrace("source:" + name, ids, list.Scores.ToArray(), sources));
    }
}
