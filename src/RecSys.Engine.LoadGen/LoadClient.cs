using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using RecSys.Engine.Server.Api.V1;

namespace RecSys.Engine.LoadGen;

/// <summary>
/// Builds and sends the requests of a run through the server's generated clients. <see cref="Build"/> makes every
/// draw (ids, vectors) from the caller's random source on the scheduling thread, so a seed fixes the requests;
/// <see cref="SendAsync"/> only sends.
/// </summary>
public sealed class LoadClient : IDisposable
{
    private readonly LoadOptions _options;
    private readonly GrpcChannel _channel;
    private readonly Recommender.RecommenderClient _recommender;
    private readonly Catalog.CatalogClient _catalog;
    private readonly Admin.AdminClient _admin;
    private readonly Metadata? _headers;
    private readonly Metadata? _adminHeaders;
    private long _upserts;
    private long _deletes;

    public LoadClient(LoadOptions options)
    {
        _options = options;
        _channel = GrpcChannel.ForAddress(options.Target, new GrpcChannelOptions
        {
            // Past 100 streams on one HTTP/2 connection (Kestrel's default limit) calls would queue in the client,
            // a wait the server never sees; more connections keep the queue where it is measured.
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            DisposeHttpClient = true,
        });
        _recommender = new Recommender.RecommenderClient(_channel);
        _catalog = new Catalog.CatalogClient(_channel);
        _admin = new Admin.AdminClient(_channel);
        _headers = options.ApiKey is null ? null : new Metadata { { "x-api-key", options.ApiKey } };
        _adminHeaders = options.AdminKey is null ? _headers : new Metadata { { "x-api-key", options.AdminKey } };
    }

    /// <summary>The request for one call of <paramref name="kind"/>, drawn from <paramref name="random"/>.</summary>
    public IMessage Build(RequestKind kind, Random random)
    {
        var o = _options;
        return kind switch
        {
            RequestKind.Recommend => new RecommendRequest { User = Id(o.Users, random), K = o.K, Surface = o.Surface },
            RequestKind.SimilarItems => new SimilarItemsRequest { Item = Id(o.Items, random), K = o.K },
            RequestKind.SearchVectors => Search(random),
            RequestKind.RecordEvents => new RecordEventsRequest
            {
                Events = { new Event { User = Id(o.Users, random), Item = Id(o.Items, random), Type = EventType.Click } },
            },
            RequestKind.UpsertItems => Upsert(),
            RequestKind.DeleteItems => Delete(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>
    /// Sends <paramref name="request"/> (from <see cref="Build"/>) with a deadline; completes when it is answered, throws
    /// RpcException on failure. Returns whether the answer says its sources ran degraded (a busy server's fewer
    /// candidates: <c>RecommendResponse.degraded</c>); false for the other calls.
    /// </summary>
    public async Task<bool> SendAsync(IMessage request, DateTime deadline, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case RecommendRequest r:
                return (await _recommender.RecommendAsync(r, _headers, deadline, cancellationToken).ResponseAsync.ConfigureAwait(false)).Degraded;
            case SimilarItemsRequest r:
                await _recommender.SimilarItemsAsync(r, _headers, deadline, cancellationToken).ResponseAsync.ConfigureAwait(false);
                break;
            case SearchVectorsRequest r:
                await _recommender.SearchVectorsAsync(r, _headers, deadline, cancellationToken).ResponseAsync.ConfigureAwait(false);
                break;
            case RecordEventsRequest r:
                await _recommender.RecordEventsBatchAsync(r, _headers, deadline, cancellationToken).ResponseAsync.ConfigureAwait(false);
                break;
            case UpsertItemsRequest r:
                using (var call = _catalog.UpsertItems(_headers, deadline, cancellationToken))
                {
                    await call.RequestStream.WriteAsync(r, cancellationToken).ConfigureAwait(false);
                    await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                    await call.ResponseAsync.ConfigureAwait(false);
                }
                break;
            case DeleteItemsRequest r:
                await _catalog.DeleteItemsAsync(r, _headers, deadline, cancellationToken).ResponseAsync.ConfigureAwait(false);
                break;
            default:
                throw new ArgumentException($"not a load request: {request.Descriptor.FullName}", nameof(request));
        }
        return false;
    }

    /// <summary>ActivateModel (Admin role: <see cref="LoadOptions.AdminKey"/>).</summary>
    public async Task ActivateAsync(string version, DateTime deadline, CancellationToken cancellationToken) =>
        await _admin.ActivateModelAsync(new ActivateModelRequest { Version = version }, _adminHeaders, deadline, cancellationToken).ResponseAsync.ConfigureAwait(false);

    /// <summary>The item ids of one Recommend answer for <paramref name="user"/> (the freshness probe's view).</summary>
    public async Task<List<long>> RecommendIdsAsync(long user, CancellationToken cancellationToken)
    {
        var request = new RecommendRequest { User = new Id { Num = user }, K = _options.K, Surface = _options.Surface };
        var response = await _recommender.RecommendAsync(request, _headers, DateTime.UtcNow + _options.Timeout, cancellationToken).ResponseAsync.ConfigureAwait(false);
        return [.. response.Items.Select(i => i.Item.Num)];
    }

    /// <summary>One click of <paramref name="user"/> on <paramref name="item"/>, acknowledged (RecordEventsBatch).</summary>
    public async Task RecordClickAsync(long user, long item, CancellationToken cancellationToken)
    {
        var request = new RecordEventsRequest { Events = { new Event { User = new Id { Num = user }, Item = new Id { Num = item }, Type = EventType.Click } } };
        await _recommender.RecordEventsBatchAsync(request, _headers, DateTime.UtcNow + _options.Timeout, cancellationToken).ResponseAsync.ConfigureAwait(false);
    }

    public void Dispose() => _channel.Dispose();

    private static Id Id(IdRange range, Random random) => new() { Num = range.At((ulong)random.NextInt64(0, long.MaxValue)) };

    private SearchVectorsRequest Search(Random random)
    {
        // A random unit vector: every metric (cosine, inner product, L2) takes it, and no component is NaN or infinite.
        var vector = new float[_options.SearchDim];
        double norm = 0;
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
            norm += vector[i] * vector[i];
        }
        float scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 1;
        if (norm == 0)
            vector[0] = 1;
        var request = new SearchVectorsRequest { Index = _options.SearchIndex, K = _options.K };
        foreach (float v in vector)
            request.Vector.Add(v * scale);
        return request;
    }

    private DeleteItemsRequest Delete()
    {
        var range = _options.DeleteIds ?? throw new InvalidOperationException("DeleteItems needs LoadOptions.DeleteIds (--delete-ids)");
        long n = _deletes++; // built on the scheduling thread only
        if (n >= range.Count)
            throw new InvalidOperationException($"--delete-ids {range} is used up after {n:N0} deletes");
        return new DeleteItemsRequest { Items = { new Id { Num = range.First + n } } };
    }

    private UpsertItemsRequest Upsert()
    {
        long id = _options.UpsertIds.At((ulong)Interlocked.Increment(ref _upserts) - 1);
        return new UpsertItemsRequest
        {
            Items = { new Item { Id = new Id { Num = id }, Title = $"load test item {id}", Categories = { "load-test" } } },
        };
    }
}
