namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// How busy the host in front of the pipeline is: the share of its concurrency limit in use (calls in flight / limit),
/// 0 when idle, 1 at the limit. The gRPC server's admission control is one; read once per request, so it must be cheap
/// and thread-safe.
/// </summary>
public interface ILoadSignal
{
    double Load { get; }
}
