namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>How k-means picks its first centroids.</summary>
public enum KMeansInit
{
    /// <summary>k-means++ when it is cheap (n x k up to ~4M pairs: its k sequential passes cost more than Lloyd at scale), else <see cref="RandomSample"/>.</summary>
    Auto,

    /// <summary>k-means++: each next centroid drawn with probability proportional to squared distance.</summary>
    PlusPlus,

    /// <summary>k distinct training points chosen at random (FAISS's default).</summary>
    RandomSample,
}
