using Microsoft.Extensions.Hosting;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// The host lifetime of an embedded server: it does nothing. The default (ConsoleLifetime) would take SIGINT / SIGTERM
/// for itself in whatever process starts a server (the CLI, a test host, an application); here the caller owns the
/// signals and decides when to call <see cref="RunningServer.StopAsync"/> (recsys serve: Ctrl-C and SIGTERM).
/// </summary>
internal sealed class CallerOwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
