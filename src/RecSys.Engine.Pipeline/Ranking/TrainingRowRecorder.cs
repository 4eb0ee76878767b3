using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.FeatureAssembly;

namespace RecSys.Engine.Pipeline.Ranking;

/// <summary>
/// A ranker that writes down what the serving pipeline would feed a learned ranker: each request's [candidates x
/// features] rows, through the same <see cref="RankingFeatureWriter"/> the ONNX ranker reads them with, and the
/// candidates' item ordinals; it answers with rank fusion so the request completes as usual. Training rows made this
/// way come from the pipeline's own sources under the names it runs them by, so a ranker trained on them is served the
/// layout it learned. One request at a time (<see cref="ServedRankerTrainer"/> calls it sequentially).
/// </summary>
public sealed class TrainingRowRecorder(RankingFeatureSchema schema) : IRanker
{
    private readonly RankingFeatureWriter _writer = new(schema);
    private readonly ReciprocalRankFusionRanker _fusion = new();

    public string Name => "training-rows";

    public bool NeedsFeatures => true;

    public RankingFeatureSchema Schema => _writer.Schema;

    /// <summary>The rows of the last request scored (row-major, <see cref="LastCount"/> x schema features).</summary>
    public float[] LastRows { get; private set; } = [];

    /// <summary>The item ordinals of the last request's candidates, in row order.</summary>
    public int[] LastItems { get; private set; } = [];

    public int LastCount { get; private set; }

    /// <summary>Forgets the last request (so a request that never reached the ranker records nothing).</summary>
    public void Clear() => LastCount = 0;

    public ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
    {
        ReadOnlySpan<float> rows = _writer.Write(input);
        LastRows = rows.ToArray();
        LastItems = input.Candidates.Ordinals.ToArray();
        LastCount = input.Count;
        return _fusion.ScoreAsync(input, scores, cancellationToken);
    }
}
