namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// The Prometheus scrape endpoint (OpenTelemetry metrics of the "RecSys.Engine.Server" meter): served over HTTP/1.1 on
/// a port of its own, so scrapers never share the gRPC port and the gRPC port never serves plain HTTP.
/// </summary>
public sealed record MetricsOptions
{
    /// <summary>Serve /metrics. Default on.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Address of the metrics endpoint (an IP literal or "localhost"). Default loopback only.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Metrics port, 0..65535; 0 = a free port (read it from <see cref="RunningServer.MetricsPort"/>). Default 9464 (Prometheus exporter's usual).</summary>
    public int Port { get; init; } = 9464;

    /// <summary>The scrape path. Default "/metrics".</summary>
    public string Path { get; init; } = "/metrics";

    internal void Validate(string key)
    {
        if (!Enabled)
            return;
        if (Host != "localhost" && !System.Net.IPAddress.TryParse(Host, out _))
            throw new ServerConfigException($"{key}:Host", $"{key}:Host '{Host}' is not an IP address or \"localhost\"");
        ServerOptions.CheckPort($"{key}:Port", Port);
        if (string.IsNullOrEmpty(Path) || Path[0] != '/')
            throw new ServerConfigException($"{key}:Path", $"{key}:Path must start with '/' (got '{Path}')");
    }
}
