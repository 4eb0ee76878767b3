using System.Diagnostics;
using Grpc.Core;
using RecSys.Engine.Core.Index;
using EventType = RecSys.Engine.Features.Records.EventType;
using RecSys.Engine.Pipeline;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Auth;
using RecSys.Engine.Server.Interception;
using RecSys.Engine.Server.Mapping;
using RecSys.Engine.Server.Metrics;
using RecSys.Engine.Server.Validation;
using Proto = RecSys.Engine.Server.Api.V1;

namespace RecSys.Engine.Server.Services;

/// <summary>
/// recsys.v1.Recommender over the pipeline. Each method checks the edge rules (<see cref="EdgeRules"/>), hands the
/// call's cancellation token (deadline, client cancel) to the pipeline, and says which request fields the pipeline's
/// argument names stand for, so its errors name the client's fields.
/// </summary>
internal sealed class RecommenderService(RecommendationPipeline pipeline, EdgeRules rules, ServerMetrics metrics) : Recommender.RecommenderBase
{
    /// <summary>The user id SimilarItems uses for an anonymous viewer: nobody's id, so no history and no profile (cold start).</summary>
    public const long AnonymousUser = long.MinValue;

    private static readonly Dictionary<string, string> s_recommendFields = new(StringComparer.Ordinal)
    {
        [nameof(Pipeline.Abstractions.RecommendRequest.QueryVector)] = "context.query_vector",
        [nameof(Pipeline.Abstractions.RecommendRequest.ItemId)] = "context.item",
    };

    private static readonly Dictionary<string, string> s_similarFields = new(StringComparer.Ordinal)
    {
        [nameof(Pipeline.Abstractions.RecommendRequest.ItemId)] = "item",
    };

    [RequiresRole(ApiRole.Read)]
    public override async Task<Proto.RecommendResponse> Recommend(Proto.RecommendRequest request, ServerCallContext context)
    {
        context.UserState[FieldNames.Key] = s_recommendFields;
        var c = request.Context;
        var query = new Pipeline.Abstractions.RecommendRequest
        {
            UserId = rules.Key(request.User, "user"),
            Surface = rules.String(request.Surface, "surface", "home"),
            K = request.K,
            Filters = rules.Filters(request.Filters, "filters"),
            RequestId = RequestId(request.RequestId, "request_id"),
            NowMs = EdgeRules.UnixMs(c?.Now, "context.now"),
            Debug = request.Debug,
            QueryText = c is null ? null : rules.String(c.QueryText, "context.query_text") is { Length: > 0 } text ? text : null,
            QueryVector = c is { QueryVector.Count: > 0 } ? [.. c.QueryVector] : null,
            ItemId = c?.Item is null ? null : rules.Key(c.Item, "context.item"),
        };
        return await RecommendAsync(query, "recommend", context).ConfigureAwait(false);
    }

    [RequiresRole(ApiRole.Read)]
    public override async Task<Proto.RecommendResponse> SimilarItems(SimilarItemsRequest request, ServerCallContext context)
    {
        context.UserState[FieldNames.Key] = s_similarFields;
        var query = new Pipeline.Abstractions.RecommendRequest
        {
            ItemId = rules.Key(request.Item, "item"),
            UserId = request.User is null ? AnonymousUser : rules.Key(request.User, "user"),
            Surface = rules.String(request.Surface, "surface", "item-page"),
            K = request.K,
            Filters = rules.Filters(request.Filters, "filters"),
            NowMs = EdgeRules.UnixMs(request.Now, "now"),
            Debug = request.Debug,
        };
        return await RecommendAsync(query, "similar_items", context).ConfigureAwait(false);
    }

    private async Task<Proto.RecommendResponse> RecommendAsync(Pipeline.Abstractions.RecommendRequest query, string operation, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var response = await pipeline.RecommendAsync(query, context.CancellationToken).ConfigureAwait(false);
        metrics.RecordPipeline(operation, start);
        return ProtoConvert.ToProto(response, pipeline.Catalog);
    }

    [RequiresRole(ApiRole.Read)]
    public override Task<SearchVectorsResponse> SearchVectors(SearchVectorsRequest request, ServerCallContext context)
    {
        string index = rules.String(request.Index, "index");
        float[] vector = EdgeRules.Finite(request.Vector, "vector"); // its length: the index's (the pipeline names "vector")
        if (request.K < 1 || request.K > rules.Limits.MaxSearchK)
            throw EdgeRules.Invalid("k", $"must be in 1..{rules.Limits.MaxSearchK} (got {request.K}; Server:Limits:MaxSearchK)");
        var parameters = new SearchParameters
        {
            Ef = Beam(request.Ef, "ef"),
            NProbe = Beam(request.Nprobe, "nprobe"),
            Filter = new PredicateFilter(SearchFilter(rules.Filters(request.Filter, "filter"))),
            MaxDegreeOfParallelism = 1,
        };
        long start = Stopwatch.GetTimestamp();
        var ids = new long[request.K];
        var distances = new float[request.K];
        pipeline.SearchIndex(index, vector, request.K, ids, distances, parameters, context.CancellationToken);
        metrics.RecordPipeline("search_vectors", start);
        var response = new SearchVectorsResponse();
        var items = pipeline.Catalog.Items;
        for (int i = 0; i < ids.Length && ids[i] >= 0; i++)
        {
            int ordinal = (int)ids[i];
            response.Hits.Add(new VectorHit { Item = ProtoConvert.ItemId(items.ExternalId(ordinal), items.NameOf(ordinal)), Distance = distances[i] });
        }
        return Task.FromResult(response);
    }

    private int? Beam(int value, string field)
    {
        if (value < 0 || value > rules.Limits.MaxSearchBeam)
            throw EdgeRules.Invalid(field, $"must be in 0..{rules.Limits.MaxSearchBeam} (got {value}; 0 = the index default; Server:Limits:MaxSearchBeam)");
        return value == 0 ? null : value;
    }

    /// <summary>The index filter of a raw search (the indexes hold catalog ordinals): available items, then the request's filters.</summary>
    private Func<long, bool> SearchFilter(RequestFilters? filters)
    {
        var catalog = pipeline.Catalog;
        if (filters is null)
            return id => !catalog.IsUnavailable((int)id);
        int[] include = Categories(filters.IncludeCategories);
        int[] exclude = Categories(filters.ExcludeCategories);
        bool anyInclude = filters.IncludeCategories is { Count: > 0 };
        HashSet<int>? allow = filters.AllowItems is null ? null : Ordinals(filters.AllowItems);
        HashSet<int> deny = Ordinals(filters.DenyItems ?? []);
        return id =>
        {
            int o = (int)id;
            return !catalog.IsUnavailable(o)
                && (allow is null || allow.Contains(o))
                && !deny.Contains(o)
                && (!anyInclude || catalog.HasAnyCategory(o, include))
                && (exclude.Length == 0 || !catalog.HasAnyCategory(o, exclude));
        };

        int[] Categories(IReadOnlyList<string>? names) =>
            [.. (names ?? []).Select(n => catalog.Categories.TryGetId(n, out int c) ? c : -1).Where(c => c >= 0)];

        HashSet<int> Ordinals(IReadOnlyList<long> ids) =>
            [.. ids.Select(i => catalog.Items.TryGetOrdinal(i, out int o) ? o : -1).Where(o => o >= 0)];
    }

    [RequiresRole(ApiRole.Read)]
    public override async Task<RankResponse> Rank(RankRequest request, ServerCallContext context)
    {
        long user = rules.Key(request.User, "user");
        if (request.Items.Count == 0)
            throw EdgeRules.Invalid("items", "empty: give the candidates to score");
        EdgeRules.Count(request.Items.Count, "items", rules.Limits.MaxRankItems, "Server:Limits:MaxRankItems");
        var ids = new long[request.Items.Count];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = rules.Key(request.Items[i], $"items[{i}]");
        string surface = rules.String(request.Surface, "surface", "home");
        long? now = EdgeRules.UnixMs(request.Now, "now");
        long start = Stopwatch.GetTimestamp();
        var ranked = await pipeline.RankWithAsync(user, ids, surface, now, context.CancellationToken).ConfigureAwait(false);
        metrics.RecordPipeline("rank", start);
        // The ranker and version that scored: the user's variant may serve another, and a surface may rank by fusion.
        var response = new RankResponse { Ranker = ranked.Ranker, Version = ranked.Version };
        for (int i = 0; i < ids.Length; i++)
            response.Items.Add(new ScoredItem { Item = request.Items[i], Score = ranked.Scores[i] });
        return response;
    }

    [RequiresRole(ApiRole.Write)]
    public override async Task<RecordEventsResponse> RecordEvents(IAsyncStreamReader<RecordEventsRequest> requestStream, ServerCallContext context)
    {
        // The whole stream is one batch: read (bounded), validate all, then apply, so a refused event leaves no trace.
        var events = new List<InteractionEvent>();
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            AddEvents(message, events);
        return await ApplyAsync(events, context).ConfigureAwait(false);
    }

    [RequiresRole(ApiRole.Write)]
    public override async Task<RecordEventsResponse> RecordEventsBatch(RecordEventsRequest request, ServerCallContext context)
    {
        var events = new List<InteractionEvent>(request.Events.Count);
        AddEvents(request, events);
        return await ApplyAsync(events, context).ConfigureAwait(false);
    }

    private void AddEvents(RecordEventsRequest message, List<InteractionEvent> events)
    {
        EdgeRules.Count(events.Count + message.Events.Count, "events", rules.Limits.MaxEventsPerCall, "Server:Limits:MaxEventsPerCall");
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var e in message.Events)
        {
            string at = $"events[{events.Count}]";
            int type = (int)e.Type;
            if (type is < 1 or > byte.MaxValue)
                throw EdgeRules.Invalid(at + ".type", $"required: one of the EventType values (got {type})");
            var eventType = (EventType)type;
            float value = e.Value == 0 && eventType != EventType.Impression ? 1f : e.Value;
            long time = EdgeRules.UnixMs(e.Time, at + ".time") ?? now;
            events.Add(new InteractionEvent(rules.Key(e.User, at + ".user"), rules.Key(e.Item, at + ".item"), eventType, value, time,
                RequestId(e.RequestId, at + ".request_id")));
        }
    }

    private async Task<RecordEventsResponse> ApplyAsync(List<InteractionEvent> events, ServerCallContext context)
    {
        long start = Stopwatch.GetTimestamp();
        await pipeline.RecordEventsAsync(events, context.CancellationToken).ConfigureAwait(false);
        metrics.RecordPipeline("record_events", start);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var e in events)
            metrics.RecordEventLag(e.TimestampMs, now);
        return new RecordEventsResponse { Accepted = events.Count };
    }

    private string? RequestId(string value, string field)
    {
        if (value.Length > rules.Limits.MaxIdLength)
            throw EdgeRules.Invalid(field, $"{value.Length} characters; at most {rules.Limits.MaxIdLength} (Server:Limits:MaxIdLength)");
        return value.Length == 0 ? null : value;
    }
}
