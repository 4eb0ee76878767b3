namespace RecSys.Engine.Native.Peers;

/// <summary>
/// The metric a peer index compares with. The values are RecSys.Engine.Core's DistanceMetric values (this project
/// references nothing), and distances come back in its convention: smaller is closer.
/// </summary>
public enum PeerMetric
{
    /// <summary>Squared Euclidean distance.</summary>
    L2 = 1,

    /// <summary>The negated dot product.</summary>
    InnerProduct = 2,

    /// <summary>1 - dot, rows and queries normalised by the shim.</summary>
    Cosine = 3,
}
