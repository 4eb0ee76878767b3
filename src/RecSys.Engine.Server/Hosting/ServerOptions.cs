using Microsoft.Extensions.Configuration;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Everything the server is configured with: the "Server" section of an appsettings-style JSON file
/// (<see cref="FromJsonFile"/>, <see cref="FromConfiguration"/>), checked once at start (<see cref="Validate"/>: the
/// message names the key). Defaults are safe for a single machine: loopback only, h2c, auth on.
/// <code>
///   { "Server": { "Host": "127.0.0.1", "Port": 50051,
///                 "Auth": { "Enabled": true, "Keys": [ { "Name": "app", "Key": "...", "Roles": [ "Read", "Write" ] } ] },
///                 "Metrics": { "Port": 9464 }, "Admission": { "MaxConcurrentCalls": 64 } } }
/// </code>
/// </summary>
public sealed record ServerOptions
{
    /// <summary>The configuration section the options live in.</summary>
    public const string SectionName = "Server";

    /// <summary>Address the gRPC endpoint listens on: an IP literal ("127.0.0.1", "0.0.0.0", "::") or "localhost". Default loopback only.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>gRPC port, 0..65535; 0 = a free port chosen at start (read it from <see cref="RunningServer.Port"/>). Default 50051.</summary>
    public int Port { get; init; } = 50051;

    /// <summary>TLS on the gRPC endpoint; off = plaintext HTTP/2 (h2c).</summary>
    public TlsOptions Tls { get; init; } = new();

    /// <summary>Largest request message the server accepts, in bytes (a bigger one is RESOURCE_EXHAUSTED). Default 16 MiB.</summary>
    public int MaxReceiveMessageBytes { get; init; } = 16 << 20;

    /// <summary>Largest response message the server sends, in bytes. Default 16 MiB.</summary>
    public int MaxSendMessageBytes { get; init; } = 16 << 20;

    /// <summary>How long a stop waits for calls in flight to finish before it cancels them. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Run a few quiet requests through every surface before the port opens, so the first clients do not meet a cold
    /// (JIT-compiling) server whose sources miss their budgets. Default true.
    /// </summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>
    /// ASP.NET Core's and gRPC's lines for every call (request started / finished, endpoint, a non-OK status) at
    /// Information. Default false: they are filtered to Warning and above, since at 500 calls/s they are 2,000 lines/s
    /// written on the serving cores (and, under overload, one more line per refused call). The server's own lines
    /// (start, stop, version swaps, dropped sources, errors) are not affected.
    /// </summary>
    public bool LogCalls { get; init; }

    /// <summary>
    /// Worker threads the .NET thread pool starts without delay when work waits while its threads are blocked; 0 (the
    /// default) leaves the runtime's minimum, one per core, past which the pool adds a thread only about every half
    /// second. Raised at start, never lowered: a host that set more keeps it. For hosts whose own code blocks pool
    /// threads on I/O. Measured on the 1M catalog under writes (bench/results/checkpoint-metadata-2026-12-07), 32 also
    /// removed the checkpoint stall that the store's synchronous metadata commit now removes at the default, but a
    /// fresh server's first 15 s had p99 140-173 ms against 23-42 ms (more cold requests running at once on two cores,
    /// most likely), so it is not the default.
    /// </summary>
    public int ThreadPoolMinThreads { get; init; }

    /// <summary>API keys and their roles.</summary>
    public AuthOptions Auth { get; init; } = new();

    /// <summary>The Prometheus scrape endpoint.</summary>
    public MetricsOptions Metrics { get; init; } = new();

    /// <summary>The concurrency limit in front of the pipeline.</summary>
    public AdmissionOptions Admission { get; init; } = new();

    /// <summary>Bounds on request sizes, checked at the edge.</summary>
    public RequestLimits Limits { get; init; } = new();

    /// <summary>The "Server" section of an appsettings-style JSON file. A missing file, bad JSON or a bad value is a <see cref="ServerConfigException"/>.</summary>
    public static ServerOptions FromJsonFile(string path) => FromConfiguration(ConfigFile.Load(path).GetSection(SectionName));

    /// <summary>Binds <paramref name="section"/> (the "Server" section); an unknown key or a value of the wrong type names the key.</summary>
    public static ServerOptions FromConfiguration(IConfigurationSection section) => ConfigFile.Bind(section, () => new ServerOptions());

    /// <summary>Checks every option; the exception names the first bad key ("Server:Auth:Keys:1:Roles").</summary>
    public void Validate()
    {
        const string s = SectionName;
        if (string.IsNullOrWhiteSpace(Host))
            throw new ServerConfigException($"{s}:Host", $"{s}:Host must be an IP address or \"localhost\"");
        if (Host != "localhost" && !System.Net.IPAddress.TryParse(Host, out _))
            throw new ServerConfigException($"{s}:Host", $"{s}:Host '{Host}' is not an IP address or \"localhost\"");
        CheckPort($"{s}:Port", Port);
        if (MaxReceiveMessageBytes < 1024)
            throw new ServerConfigException($"{s}:MaxReceiveMessageBytes", $"{s}:MaxReceiveMessageBytes must be at least 1024 (got {MaxReceiveMessageBytes})");
        if (MaxSendMessageBytes < 1024)
            throw new ServerConfigException($"{s}:MaxSendMessageBytes", $"{s}:MaxSendMessageBytes must be at least 1024 (got {MaxSendMessageBytes})");
        if (ShutdownTimeout < TimeSpan.Zero)
            throw new ServerConfigException($"{s}:ShutdownTimeout", $"{s}:ShutdownTimeout must not be negative (got {ShutdownTimeout})");
        if (ThreadPoolMinThreads is < 0 or > 4096)
            throw new ServerConfigException($"{s}:ThreadPoolMinThreads", $"{s}:ThreadPoolMinThreads must be in 0..4096 (0 = the runtime's default; got {ThreadPoolMinThreads})");
        (Tls ?? throw Missing("Tls")).Validate($"{s}:Tls");
        (Auth ?? throw Missing("Auth")).Validate($"{s}:Auth");
        (Metrics ?? throw Missing("Metrics")).Validate($"{s}:Metrics");
        if (Metrics.Enabled && Metrics.Port != 0 && Metrics.Port == Port)
            throw new ServerConfigException($"{s}:Metrics:Port", $"{s}:Metrics:Port {Metrics.Port} is the gRPC port; metrics need a port of their own");
        (Admission ?? throw Missing("Admission")).Validate($"{s}:Admission");
        (Limits ?? throw Missing("Limits")).Validate($"{s}:Limits");
    }

    internal static void CheckPort(string key, int port)
    {
        if (port is < 0 or > 65535)
            throw new ServerConfigException(key, $"{key} must be in 0..65535 (got {port}; 0 = any free port)");
    }

    private static ServerConfigException Missing(string name) => new($"{SectionName}:{name}", $"{SectionName}:{name} must not be null");
}
