using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Native.Peers;

namespace RecSys.Engine.Cli.Bench;

/// <summary>Our metric as the native peers name it (native-interop references nothing, so it has its own enum).</summary>
internal static class PeerMetrics
{
    public static PeerMetric Of(DistanceMetric metric) => metric switch
    {
        DistanceMetric.L2 => PeerMetric.L2,
        DistanceMetric.InnerProduct => PeerMetric.InnerProduct,
        DistanceMetric.Cosine => PeerMetric.Cosine,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "no peer metric"),
    };
}
