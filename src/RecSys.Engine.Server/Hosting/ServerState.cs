namespace RecSys.Engine.Server.Hosting;

/// <summary>What the server knows about itself at run time: ready to serve (health), and the ports it bound.</summary>
internal sealed class ServerState
{
    private volatile bool _ready;

    /// <summary>True from a completed start until a stop begins (the health check's readiness).</summary>
    public bool Ready
    {
        get => _ready;
        set => _ready = value;
    }

    /// <summary>The bound metrics port (0 until started, or when metrics are off).</summary>
    public int MetricsPort { get; set; }
}
