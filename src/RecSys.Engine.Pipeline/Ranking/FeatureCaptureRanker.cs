using System.Collections.Concurrent;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.FeatureAssembly;

namespace RecSys.Engine.Pipeline.Ranking;

/// <summary>
/// Training rows from the serving pipeline itself: ranks like the fallback (<see cref="ReciprocalRankFusionRanker"/>)
/// and keeps, per request id, the feature rows the pipeline's writer assembled and the candidates' catalog ordinals.
/// So a ranker for the pipeline is trained on exactly the candidates and features serving gives it. Offline use only
/// (it copies every request).
/// </summary>
internal sealed class FeatureCaptureRanker(RankingFeatureSchema schema) : IRanker
{
    private readonly ReciprocalRankFusionRanker _fallback = new();

    public RankingFeatureWriter Writer { get; } = new(schema);

    public ConcurrentDictionary<string, (float[] Rows, int[] Ordinals)> Captured { get; } = new(StringComparer.Ordinal);

    public string Name => "capture";

    public bool NeedsFeatures => true;

    public async ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
    {
        ReadOnlySpan<float> rows = Writer.Write(input);
        Captured[input.Request.RequestId] = (rows.ToArray(), input.Candidates.Ordinals.ToArray());
        await _fallback.ScoreAsync(input, scores, cancellationToken).ConfigureAwait(false);
    }
}
