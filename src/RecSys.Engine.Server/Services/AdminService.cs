using Grpc.Core;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Auth;
using RecSys.Engine.Server.Health;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Interception;
using RecSys.Engine.Server.Mapping;
using RecSys.Engine.Server.Validation;

namespace RecSys.Engine.Server.Services;

/// <summary>
/// recsys.v1.Admin: model versions over the serving state's registry (list, activate, roll back: each a swap the
/// pipeline makes at once, requests in flight finishing on their version), statistics, and checkpoints.
/// </summary>
internal sealed class AdminService(ServingContext serving, AdmissionControl admission) : Admin.AdminBase
{
    private RecommendationPipeline Pipeline => serving.Pipeline;

    [RequiresRole(ApiRole.Admin)]
    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        string active = serving.ActiveVersion;
        var response = new ListModelsResponse { Active = active };
        if (serving.State is not { } state)
        {
            // A bare pipeline knows one version: the one it serves.
            response.Models.Add(new ModelVersion { Name = active, Active = true });
            return Task.FromResult(response);
        }
        foreach (var version in state.Registry.List())
            response.Models.Add(ToProto(version, version.Id == active));
        return Task.FromResult(response);
    }

    private static ModelVersion ToProto(RegistryVersion version, bool active)
    {
        var m = version.Manifest;
        var proto = new ModelVersion
        {
            Name = version.Id,
            Active = active,
            CreatedAt = ProtoConvert.Time(version.CreatedAt),
            Parent = m.Parent ?? "",
            Description = m.Description,
        };
        proto.Parts.AddRange(m.Models.Keys.Order(StringComparer.Ordinal).Select(k => "model:" + k));
        proto.Parts.AddRange(m.Indexes.Keys.Order(StringComparer.Ordinal).Select(k => "index:" + k));
        proto.Parts.AddRange(m.Embeddings.Select(e => "embedding:" + e.Name));
        if (m.Ranker is not null)
            proto.Parts.Add("ranker");
        foreach (var (name, value) in m.Metrics)
            proto.Metrics[name] = value;
        return proto;
    }

    [RequiresRole(ApiRole.Admin)]
    public override async Task<ActivateModelResponse> ActivateModel(ActivateModelRequest request, ServerCallContext context)
    {
        var state = serving.RequireState(context.Method);
        if (request.Version.Length == 0)
            throw EdgeRules.Invalid("version", "required: a version id (ListModels names them)");
        try
        {
            ModelRegistry.CheckId(request.Version);
        }
        catch (ArgumentException e)
        {
            throw EdgeRules.Invalid("version", e);
        }
        string previous = state.ActiveVersionId;
        var version = await SwapAsync("version", () => state.ActivateAsync(request.Version, context.CancellationToken)).ConfigureAwait(false);
        return new ActivateModelResponse { Active = version.Id, Previous = previous };
    }

    [RequiresRole(ApiRole.Admin)]
    public override async Task<ActivateModelResponse> Rollback(RollbackRequest request, ServerCallContext context)
    {
        var state = serving.RequireState(context.Method);
        string previous = state.ActiveVersionId;
        var version = await SwapAsync("version", () => state.RollbackAsync(context.CancellationToken)).ConfigureAwait(false);
        return new ActivateModelResponse { Active = version.Id, Previous = previous };
    }

    /// <summary>
    /// A registry swap, its refusals as statuses: no such version NOT_FOUND; a damaged one, nothing to go back to, or a
    /// version the serving config does not fit (a surface of Serving:PipelineConfigFile lists a source the version lacks)
    /// FAILED_PRECONDITION, with the reason.
    /// </summary>
    private static async Task<RegistryVersion> SwapAsync(string field, Func<Task<RegistryVersion>> swap)
    {
        try
        {
            return await swap().ConfigureAwait(false);
        }
        catch (KeyNotFoundException e)
        {
            throw EdgeRules.NotFound(field, e.Message);
        }
        catch (Exception e) when (e is VersionCorruptedException or InvalidOperationException or UnknownSourceException or InvalidDataException)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{field}: {e.Message}"));
        }
    }

    [RequiresRole(ApiRole.Admin)]
    public override Task<GetStatsResponse> GetStats(GetStatsRequest request, ServerCallContext context)
    {
        var stats = Pipeline.Stats;
        var response = new GetStatsResponse
        {
            ActiveVersion = serving.ActiveVersion,
            Requests = stats.Requests,
            Events = stats.Events,
            FoldIns = stats.FoldIns,
            ItemFoldIns = stats.ItemFoldIns,
            ItemFoldInsDeferred = stats.ItemFoldInsDeferred,
            ItemsWithInteractors = Pipeline.Catalog.Interactors.ItemCount,
            CatalogItems = Pipeline.Catalog.Length,
            InFlight = admission.InFlight,
            Rejected = admission.Rejected,
            RejectedQueueDelay = admission.RejectedQueueDelay,
            QueueDelayMs = admission.QueueDelay?.DelayMs ?? 0,
            Degraded = stats.Degraded,
            FeatureStore = "healthy",
            AttributedClicks = stats.AttributedClicks,
            UnattributedClicks = stats.UnattributedClicks,
            AttributionWindowUsed = Pipeline.AttributionWindowUsed,
            AttributionWindow = Pipeline.AttributionWindow,
        };
        foreach (var v in Pipeline.ExperimentCounters)
        {
            response.Variants.Add(new VariantStats
            {
                Experiment = v.Experiment, Variant = v.Variant, Share = v.Share,
                Requests = v.Requests, Impressions = v.Impressions, Clicks = v.Clicks, Ctr = v.ClickThroughRate,
            });
        }
        foreach (var (name, counters) in stats.Sources.OrderBy(s => s.Key, StringComparer.Ordinal))
            response.Sources.Add(new SourceStats { Name = name, Runs = counters.Runs, Failures = counters.Failures, Timeouts = counters.Timeouts });
        foreach (var index in Pipeline.DescribeIndexes())
            response.Indexes.Add(new IndexStats { Name = index.Name, Kind = index.Kind, Vectors = index.Vectors, Dimension = index.Dimension, MemoryBytes = index.MemoryBytes });
        if (FeatureStoreHealthCheck.Of(Pipeline.Store) is { } health)
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
        if (serving.State is { } state)
        {
            // The catalog snapshot with it: a restart then needs neither the log nor the live updates replayed.
            await state.SaveAsync(context.CancellationToken).ConfigureAwait(false);
        }
        else if (Pipeline.Store is FasterFeatureStore store)
        {
            await store.CheckpointAsync(context.CancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "the feature store is a Redis-protocol server: it persists on its own (AOF / RDB), there is nothing to checkpoint here"));
        }
        return new CheckpointResponse { CompletedAt = ProtoConvert.Time(DateTimeOffset.UtcNow) };
    }
}
