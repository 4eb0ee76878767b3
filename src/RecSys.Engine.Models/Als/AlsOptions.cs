namespace RecSys.Engine.Models.Als;

/// <summary>Hyper-parameters of implicit ALS (Hu, Koren &amp; Volinsky 2008).</summary>
public sealed record AlsOptions
{
    public int Factors { get; init; } = 64;

    /// <summary>Confidence c = 1 + alpha * r.</summary>
    public float Alpha { get; init; } = 4f;

    /// <summary>L2 regularisation lambda on every row (not scaled by the row's count).</summary>
    public float Lambda { get; init; } = 40f;

    /// <summary>Full sweeps (users then items).</summary>
    public int Iterations { get; init; } = 10;

    public AlsSolver Solver { get; init; } = AlsSolver.ConjugateGradient;

    /// <summary>Conjugate-gradient steps per row per sweep (warm-started, so a few suffice).</summary>
    public int CgSteps { get; init; } = 3;

    /// <summary>r = 1 for every interaction (confidence 1 + alpha), whatever the stored value.</summary>
    public bool BinaryConfidence { get; init; } = true;

    public ulong Seed { get; init; } = 42;

    public int MaxDegreeOfParallelism { get; init; } = -1;

    public void Validate()
    {
        if (Factors < 1 || Factors > 1024)
            throw new ArgumentOutOfRangeException(nameof(Factors), $"factors must be in 1..1024, got {Factors}");
        if (!(Alpha >= 0) || !float.IsFinite(Alpha))
            throw new ArgumentOutOfRangeException(nameof(Alpha), $"alpha must be finite and >= 0, got {Alpha}");
        if (!(Lambda > 0) || !float.IsFinite(Lambda))
            throw new ArgumentOutOfRangeException(nameof(Lambda), $"lambda must be finite and > 0, got {Lambda}");
        if (Iterations < 0)
            throw new ArgumentOutOfRangeException(nameof(Iterations), $"iterations must be >= 0, got {Iterations}");
        if (CgSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(CgSteps), $"cg steps must be >= 1, got {CgSteps}");
    }

    public override string ToString() =>
        $"factors={Factors} alpha={Alpha:G} lambda={Lambda:G} iterations={Iterations} solver={(Solver == AlsSolver.Cholesky ? "cholesky" : $"cg{CgSteps}")} confidence={(BinaryConfidence ? "binary" : "1+alpha*r")} seed={Seed}";
}
