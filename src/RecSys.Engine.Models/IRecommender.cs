using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models;

/// <summary>
/// A candidate source: trained on <see cref="TrainingData"/>, then asked for a score per catalog item for
/// one user (higher is better). Scoring must be thread-safe after <see cref="Fit"/>; callers exclude the
/// user's training items themselves (the evaluator and the blend do).
/// </summary>
public interface IRecommender
{
    string Name { get; }

    void Fit(TrainingData data);

    /// <summary>Writes one score per item (length = item count) for <paramref name="user"/>.</summary>
    void Score(int user, Span<float> scores);

    /// <summary>The hyper-parameters in use, for reports ("factors=64 alpha=4 ...").</summary>
    string Describe();
}
