using Microsoft.Extensions.Diagnostics.HealthChecks;
using RecSys.Engine.Features;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline;

namespace RecSys.Engine.Server.Health;

/// <summary>
/// The feature store's own verdict (<see cref="FeatureStoreHealth"/>): healthy, or degraded while checkpoints fail.
/// Degraded still serves (acknowledged writes are in the write-ahead log), so gRPC health stays SERVING and the
/// description says what is wrong. A store that publishes no health (Redis protocol: the server's own concern) is healthy.
/// </summary>
internal sealed class FeatureStoreHealthCheck(RecommendationPipeline pipeline) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (Of(pipeline.Store) is not { } health)
            return Task.FromResult(HealthCheckResult.Healthy("feature store"));
        return Task.FromResult(health.Status == FeatureStoreHealthStatus.Healthy
            ? HealthCheckResult.Healthy("feature store")
            : HealthCheckResult.Degraded($"{health.ConsecutiveCheckpointFailures} checkpoint(s) failed in a row", health.LastCheckpointError));
    }

    /// <summary>The store's health, when it publishes one (the embedded FASTER store does).</summary>
    public static FeatureStoreHealth? Of(IFeatureStore store) => store is FasterFeatureStore faster ? faster.Health : null;
}
