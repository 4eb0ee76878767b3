namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// How busy the host in front of the pipeline is, as a share of the point where it starts refusing calls: 0 when idle,
/// 1 at the limit. The gRPC server's admission control is one (the larger of calls in flight / limit and thread-pool
/// queue delay / its maximum); read once per request, so it must be cheap and thread-safe.
/// </summary>
public interface ILoadSignal
{
    double Load { get; }
}
