using Microsoft.Extensions.Diagnostics.HealthChecks;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.Server.Health;

/// <summary>Serving once started; not serving while starting or draining for a stop (so a load balancer moves away first).</summary>
internal sealed class ReadinessHealthCheck(ServerState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Ready ? HealthCheckResult.Healthy("pipeline ready") : HealthCheckResult.Unhealthy("starting or stopping"));
}
