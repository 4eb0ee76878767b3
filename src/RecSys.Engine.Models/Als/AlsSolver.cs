namespace RecSys.Engine.Models.Als;

/// <summary>How each ALS least-squares row is solved.</summary>
public enum AlsSolver
{
    /// <summary>A few conjugate-gradient steps warm-started from the previous row (Takacs et al. 2011): O(n k + k^2) per step.</summary>
    ConjugateGradient,

    /// <summary>The exact solution by Cholesky of the k x k system: O(n k^2 + k^3); the reference.</summary>
    Cholesky,
}
