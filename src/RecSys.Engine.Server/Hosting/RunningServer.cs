using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using RecSys.Engine.Features.Faster;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// A started server (<see cref="RecSysServer"/>.StartAsync): where it listens, and how to stop it. Stopping is graceful:
/// <code>
///   health -> NOT_SERVING; stop accepting connections and calls (HTTP/2 GOAWAY)
///   -> calls in flight finish (up to Server:ShutdownTimeout, then they are cancelled)
///   -> the serving state saved (catalog snapshot + store checkpoint), or, over a bare pipeline, a checkpoint of the
///      embedded FASTER store, so a restart replays nothing
/// </code>
/// Disposing stops it too.
/// </summary>
public sealed partial class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerState _state;
    private readonly ServingContext _serving;
    private readonly ILogger _logger;
    private readonly object _stopLock = new();
    private Task? _stopping;

    internal RunningServer(WebApplication app, ServerState state, ServingContext serving, Uri address, int metricsPort, string metricsPath, ILogger logger)
    {
        _app = app;
        _state = state;
        _serving = serving;
        _logger = logger;
        Address = address;
        MetricsPort = metricsPort;
        MetricsAddress = metricsPort == 0 ? null : new Uri($"http://{address.Host}:{metricsPort}{metricsPath}");
    }

    /// <summary>The gRPC address with the bound port ("http://127.0.0.1:50051"): what a GrpcChannel is made for.</summary>
    public Uri Address { get; }

    /// <summary>The bound gRPC port (the real one when the options asked for 0).</summary>
    public int Port => Address.Port;

    /// <summary>The bound metrics port; 0 when metrics are off.</summary>
    public int MetricsPort { get; }

    /// <summary>The Prometheus scrape URL, or null when metrics are off.</summary>
    public Uri? MetricsAddress { get; }

    /// <summary>The server's services (for in-process tools and tests).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Stops gracefully (see the type's remarks); later calls wait for the first one.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_stopLock)
            return _stopping ??= StopCoreAsync(cancellationToken);
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        _state.Ready = false;
        LogStopping(_logger, Address);
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_serving.State is { } serving)
            await serving.SaveAsync(cancellationToken).ConfigureAwait(false);
        else if (_serving.Pipeline.Store is FasterFeatureStore store)
            await store.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "recsys gRPC server on {Address} stopping: draining calls in flight")]
    private static partial void LogStopping(ILogger logger, Uri address);
}
