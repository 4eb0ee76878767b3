using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using RecSys.Engine.Pipeline;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Server.Auth;
using RecSys.Engine.Server.Health;
using RecSys.Engine.Server.Interception;
using RecSys.Engine.Server.Metrics;
using RecSys.Engine.Server.Services;
using RecSys.Engine.Server.Validation;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Starts the gRPC server over a pipeline: the one way `recsys serve`, `recsys demo` and the tests start it.
/// <code>
///   Kestrel  gRPC endpoint   Host:Port, HTTP/2 (h2c, or TLS)      Recommender, Catalog, Admin, grpc.health.v1, reflection
///            metrics endpoint Metrics:Host:Port, HTTP/1.1          GET /metrics (Prometheus text)
///   every gRPC call: metrics -> API key and role -> admission -> errors -> service -> pipeline (call's token flows down)
///   admission: refuse past Admission:MaxConcurrentCalls in flight or Admission:MaxQueueDelay of thread-pool queue delay
///   admission's load (the larger share of either limit) -> pipeline.Degradation: sources shrink above Admission:DegradeAbove
/// </code>
/// <code>
///   await using var server = await RecSysServer.StartAsync(options, pipeline);
///   Console.WriteLine(server.Address);   // http://127.0.0.1:50051
///   ...
///   await server.StopAsync();            // drain, finish calls in flight, checkpoint the feature store
/// </code>
/// The caller keeps owning the pipeline (or serving state) and its feature store: the server saves the state (or
/// checkpoints the store) when it stops, and never disposes either.
/// </summary>
public static partial class RecSysServer
{
    /// <summary>
    /// Validates <paramref name="options"/> (a <see cref="ServerConfigException"/> names the key), binds the ports and
    /// starts serving. <paramref name="logging"/> configures logging (default: console, information and above).
    /// The trending lists are the caller's here: no periodic refresh runs over a bare pipeline (call
    /// <see cref="RecommendationPipeline.RefreshTrendingAsync"/> when they should move), so a tool's or test's answers
    /// change only with what it does.
    /// </summary>
    public static Task<RunningServer> StartAsync(ServerOptions options, RecommendationPipeline pipeline, Action<ILoggingBuilder>? logging = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return StartAsync(options, new ServingContext(pipeline, null), TimeSpan.Zero, TimeSpan.Zero, logging, cancellationToken);
    }

    /// <summary>
    /// Starts the server over a serving state (<see cref="ServingState.OpenAsync(string, string, ServingStateOptions?, CancellationToken)"/>):
    /// everything <see cref="StartAsync(ServerOptions, RecommendationPipeline, Action{ILoggingBuilder}?, CancellationToken)"/> does,
    /// plus the model RPCs over its registry; a stop saves the state (catalog snapshot and store checkpoint). The caller
    /// keeps owning the state. The trending lists are refreshed from the store every
    /// <see cref="ServingOptions.DefaultTrendingRefreshInterval"/>, and the catalog snapshot saved every
    /// <see cref="ServingOptions.DefaultCatalogSaveInterval"/> (`recsys serve` takes Serving:TrendingRefreshInterval and
    /// Serving:CatalogSaveInterval).
    /// </summary>
    public static Task<RunningServer> StartAsync(ServerOptions options, ServingState state, Action<ILoggingBuilder>? logging = null,
        CancellationToken cancellationToken = default) =>
        StartAsync(options, state, ServingOptions.DefaultTrendingRefreshInterval, ServingOptions.DefaultCatalogSaveInterval, logging, cancellationToken);

    /// <summary>
    /// The start over a serving state with the trending lists refreshed every <paramref name="trendingRefresh"/> and the
    /// catalog snapshot saved every <paramref name="catalogSave"/> (zero = never).
    /// </summary>
    internal static Task<RunningServer> StartAsync(ServerOptions options, ServingState state, TimeSpan trendingRefresh, TimeSpan catalogSave,
        Action<ILoggingBuilder>? logging, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        return StartAsync(options, new ServingContext(state.Pipeline, state), trendingRefresh, catalogSave, logging, cancellationToken);
    }

    /// <summary><paramref name="logging"/>, or the default: console, one line per entry, information and above.</summary>
    private static void ConfigureLogging(ILoggingBuilder builder, Action<ILoggingBuilder>? logging)
    {
        if (logging is null)
            builder.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information);
        else
            logging(builder);
    }

    private static async Task<RunningServer> StartAsync(ServerOptions options, ServingContext serving, TimeSpan trendingRefresh, TimeSpan catalogSave,
        Action<ILoggingBuilder>? logging, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int poolFloor = ThreadPoolFloor.Raise(options.ThreadPoolMinThreads);
        var pipeline = serving.Pipeline;
        var certificate = options.Tls.Enabled ? LoadCertificate(options.Tls) : null;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "RecSys.Engine.Server", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        ConfigureLogging(builder.Logging, logging);
        if (!options.LogCalls)
        {
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.Logging.AddFilter("Grpc.AspNetCore.Server", LogLevel.Warning);
        }

        ListenOptions? grpcEndpoint = null, metricsEndpoint = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Calls past the admission limit must reach the interceptor (and be refused there, at once) rather than wait
            // in a client for a free stream: allow well more streams per connection than calls admitted.
            kestrel.Limits.Http2.MaxStreamsPerConnection = Math.Max(kestrel.Limits.Http2.MaxStreamsPerConnection, 4 * options.Admission.MaxConcurrentCalls);
            kestrel.Listen(Address(options.Host), options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                    listen.UseHttps(certificate);
                grpcEndpoint = listen;
            });
            if (options.Metrics.Enabled)
            {
                kestrel.Listen(Address(options.Metrics.Host), options.Metrics.Port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    metricsEndpoint = listen;
                });
            }
        });
        builder.WebHost.UseShutdownTimeout(options.ShutdownTimeout);

        var services = builder.Services;
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, CallerOwnedLifetime>();
        var state = new ServerState();
        services.AddSingleton(options);
        services.AddSingleton(pipeline);
        services.AddSingleton(serving);
        services.AddSingleton(state);
        services.AddSingleton(new ApiKeyRing(options.Auth.Keys));
        var admission = new AdmissionControl(options.Admission);
        services.AddSingleton(admission);
        services.AddSingleton(new EdgeRules(options.Limits));
        services.AddSingleton<ServerMetrics>();
        // Always there (its counters are exported), idle when the interval is zero; the host stops it before the state is saved.
        services.AddSingleton(provider => new TrendingRefreshService(token => pipeline.RefreshTrendingAsync(cancellationToken: token), trendingRefresh,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("RecSys.Engine.Server.Trending")));
        services.AddHostedService(provider => provider.GetRequiredService<TrendingRefreshService>());
        // Over a serving state only (a bare pipeline has no snapshot); idle when the interval is zero.
        services.AddSingleton(provider => new CatalogSaveService(token => serving.State is { } saved ? saved.SaveCatalogAsync(token) : Task.CompletedTask,
            serving.State is null ? TimeSpan.Zero : catalogSave, provider.GetRequiredService<ILoggerFactory>().CreateLogger("RecSys.Engine.Server.Catalog")));
        services.AddHostedService(provider => provider.GetRequiredService<CatalogSaveService>());
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageBytes;
            grpc.MaxSendMessageSize = options.MaxSendMessageBytes;
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<MetricsInterceptor>();
            grpc.Interceptors.Add<ApiKeyInterceptor>();
            grpc.Interceptors.Add<AdmissionInterceptor>();
            grpc.Interceptors.Add<ErrorInterceptor>();
        });
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(health =>
            {
                // "" is the whole server; each recsys.v1 service answers too (grpc_health_probe -service recsys.v1.Recommender).
                foreach (string service in (string[])["", "recsys.v1.Recommender", "recsys.v1.Catalog", "recsys.v1.Admin"])
                    health.Services.Map(service, _ => true);
            })
            .AddCheck<ReadinessHealthCheck>("pipeline")
            .AddCheck<FeatureStoreHealthCheck>("feature-store");
        if (options.Metrics.Enabled)
        {
            services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(ServerMetrics.MeterName, PipelineMetrics.MeterName)
                .AddPrometheusExporter(o => o.ScrapeEndpointPath = options.Metrics.Path));
            services.ConfigureOpenTelemetryMeterProvider((provider, builder) =>
            {
                // OpenTelemetry matches meters by name across the process. With two servers in one process (tests, an
                // embedding host), each scrape would see the other's "RecSys.Engine.Server" instruments too: one metric
                // stream fed by both servers' callbacks, the last one's value exported. Each server keeps the
                // instruments of its own meter factory only.
                var own = provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
                builder.AddView(instrument => instrument.Meter.Name == ServerMetrics.MeterName && !ReferenceEquals(instrument.Meter.Scope, own)
                    ? MetricStreamConfiguration.Drop
                    : null);
            });
        }

        var app = builder.Build();
        // The queue-delay monitor's thread lives as long as the server: stopped once the last call has drained.
        app.Lifetime.ApplicationStopped.Register(admission.Dispose);
        if (options.Metrics.Enabled)
        {
            // Only on the metrics port: the gRPC port serves gRPC alone.
            app.UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Connection.LocalPort == state.MetricsPort
                && http.Request.Path == options.Metrics.Path);
        }
        app.MapGrpcService<RecommenderService>();
        app.MapGrpcService<CatalogService>();
        app.MapGrpcService<AdminService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RecSys.Engine.Server");
        admission.Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RecSys.Engine.Server.Admission");
        if (options.WarmUp)
        {
            try
            {
                await PipelineWarmUp.RunAsync(pipeline, logger, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                admission.Dispose();
                await app.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        // After the warm-up (which must run at full size), before the first call.
        pipeline.Degradation = options.Admission.Degrades
            ? new SourceDegradation(admission, options.Admission.DegradeAbove, options.Admission.MinSourceShare)
            : null;
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            admission.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ServerConfigException($"{ServerOptions.SectionName}:Port", $"cannot listen on {options.Host}:{options.Port} or the metrics port {options.Metrics.Port}: {e.Message}");
        }
        int port = grpcEndpoint!.IPEndPoint!.Port;
        state.MetricsPort = metricsEndpoint?.IPEndPoint?.Port ?? 0;
        state.Ready = true;
        admission.Arm(); // not before: the start-up's own work in the pool is not overload
        _ = app.Services.GetRequiredService<ServerMetrics>(); // instruments exist from the first scrape on
        if (!options.Auth.Enabled)
            LogAuthOff(logger);
        string scheme = certificate is null ? "http" : "https";
        var address = new Uri($"{scheme}://{Host(options.Host)}:{port}");
        LogStarted(logger, address, pipeline.Version.Name, state.MetricsPort == 0 ? "off" : $"http://{Host(options.Metrics.Host)}:{state.MetricsPort}{options.Metrics.Path}", poolFloor);
        return new RunningServer(app, state, serving, address, state.MetricsPort, options.Metrics.Path, logger);
    }

    private static IPAddress Address(string host) => host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);

    private static string Host(string host) => Address(host) is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } v6 ? $"[{v6}]" : Address(host).ToString();

    private static X509Certificate2 LoadCertificate(TlsOptions tls)
    {
        string path = tls.CertificatePath!;
        try
        {
            string extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
                return X509CertificateLoader.LoadPkcs12FromFile(path, tls.Password);
            return tls.Password is null
                ? X509Certificate2.CreateFromPemFile(path, tls.KeyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, tls.Password, tls.KeyPath);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException or IOException)
        {
            throw new ServerConfigException($"{ServerOptions.SectionName}:Tls:CertificatePath", $"{ServerOptions.SectionName}:Tls:CertificatePath '{path}': cannot load the certificate: {e.Message}");
        }
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning,
        Message = "API key authentication is OFF (Server:Auth:Enabled = false): anyone who reaches the port can read, write and administer")]
    private static partial void LogAuthOff(ILogger logger);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "recsys gRPC server listening on {Address} (version {Version}); metrics {Metrics}; thread pool minimum {PoolFloor} workers")]
    private static partial void LogStarted(ILogger logger, Uri address, string version, string metrics, int poolFloor);
}
