namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// The ranking stage: one batched call per request over every surviving candidate. A learned ranker (the ONNX
/// one of issue 12) reads the feature columns of <see cref="RankerInput"/>; the fallback (rank fusion of the
/// sources) needs only the source ranks, and says so with <see cref="NeedsFeatures"/> = false, which spares the
/// request the feature-store reads.
/// </summary>
public interface IRanker
{
    string Name { get; }

    /// <summary>True when <see cref="ScoreAsync"/> reads the item, user and cross features (one batch read of the store fills them).</summary>
    bool NeedsFeatures { get; }

    /// <summary>Writes one score per candidate (higher is better) into scores[0 .. input.Count).</summary>
    ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken);
}
