namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>Trained centroids (k x dim, row-major) and the mean squared distance of points to their centroid.</summary>
public sealed record KMeansResult(float[] Centroids, int K, int Dimension, double MeanSquaredError, int IterationsRun, int EmptyClustersRepaired);
