using Grpc.Core;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Auth;
using RecSys.Engine.Server.Health;
using RecSys.Engine.Server.Interception;
using RecSys.Engine.Server.Mapping;

namespace RecSys.Engine.Server.Services;

/// <summary>recsys.v1.Admin: statistics and checkpoints now; model versions once the model registry is on main.</summary>
internal sealed class AdminService(RecommendationPipeline pipeline, AdmissionControl admission) : Admin.AdminBase
{
    private const string NeedsRegistry = "model versions live in the model registry, which this server does not have yet";

    [RequiresRole(ApiRole.Admin)]
    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        // Without a registry the server knows one version: the one it serves.
        string active = pipeline.Version.Name;
        var response = new ListModelsResponse { Active = active };
        response.Models.Add(new ModelVersion { Name = active, Active = true });
        return Task.FromResult(response);
    }

    [RequiresRole(ApiRole.Admin)]
    public override Task<ActivateModelResponse> ActivateModel(ActivateModelRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, NeedsRegistry));

    [RequiresRole(ApiRole.Admin)]
    public override Task<ActivateModelResponse> Rollback(RollbackRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, NeedsRegistry));

    [RequiresRole(ApiRole.Admin)]
    public override Task<GetStatsResponse> GetStats(GetStatsRequest request, ServerCallContext context)
    {
        var version = pipeline.Version;
        var stats = pipeline.Stats;
        var response = new GetStatsResponse
        {
            ActiveVersion = version.Name,
            Requests = stats.Requests,
            Events = stats.Events,
            FoldIns = stats.FoldIns,
            CatalogItems = pipeline.Catalog.Length,
            InFlight = admission.InFlight,
            Rejected = admission.Rejected,
            FeatureStore = "healthy",
        };
        foreach (var (name, counters) in stats.Sources.OrderBy(s => s.Key, StringComparer.Ordinal))
            response.Sources.Add(new SourceStats { Name = name, Runs = counters.Runs, Failures = counters.Failures, Timeouts = counters.Timeouts });
        foreach (var (name, index) in new[] { ("cf", version.Models.CfIndex), ("content", version.Models.ContentIndex) })
        {
            if (index is not null)
                response.Indexes.Add(new IndexStats { Name = name, Kind = index.Kind, Vectors = index.Count, Dimension = index.Dimension, MemoryBytes = index.MemoryBytes });
        }
        if (FeatureStoreHealthCheck.Of(pipeline.Store) is { } health)
        {
            response.FeatureStore = health.Status.ToString().ToLowerInvariant();
            response.FeatureStoreError = health.LastCheckpointError?.Message ?? "";
            response.LastCheckpoint = ProtoConvert.Time(health.LastSuccessfulCheckpoint);
        }
        return Task.FromResult(response);
    }

    [RequiresRole(ApiRole.Admin)]
    public override async Task<CheckpointResponse> Checkpoint(CheckpointRequest request, ServerCallContext context)
    {
        if (pipeline.Store is not FasterFeatureStore store)
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "the feature store is a Redis-protocol server: it persists on its own (AOF / RDB), there is nothing to checkpoint here"));
        await store.CheckpointAsync(context.CancellationToken).ConfigureAwait(false);
        return new CheckpointResponse { CompletedAt = ProtoConvert.Time(DateTimeOffset.UtcNow) };
    }
}
