using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.FeatureAssembly;

namespace RecSys.Engine.Ranking.Onnx;

/// <summary>
/// The pipeline's learned ranker: an ONNX model behind the <see cref="IRanker"/> seam.
/// <code>
///   RankerInput (one batch read of the store + memory) -> RankingFeatureWriter (the schema's one assembler, into the
///   request's pooled tensor) -> OnnxRanker.Score (pre-bound OrtValues; chunks of MaxCandidates) -> one score per candidate
/// </code>
/// The model's embedded feature schema decides the layout, so it is served the features it was trained on. Allocates
/// nothing per request once warm (the request's buffers have grown and ONNX Runtime has bound the candidate count).
/// Thread-safe.
/// </summary>
public sealed class OnnxPipelineRanker : IRanker, IDisposable
{
    private readonly bool _ownsRanker;

    public OnnxPipelineRanker(OnnxRanker ranker, bool ownsRanker = true)
    {
        Ranker = ranker ?? throw new ArgumentNullException(nameof(ranker));
        _ownsRanker = ownsRanker;
        Writer = new RankingFeatureWriter(ranker.Schema);
        Name = "onnx-" + ranker.ModelKind;
    }

    /// <summary>"onnx-" + the model kind ("onnx-gbdt", "onnx-mlp"): what responses report as the ranker.</summary>
    public string Name { get; }

    public bool NeedsFeatures => true;

    public OnnxRanker Ranker { get; }

    public RankingFeatureWriter Writer { get; }

    /// <summary>Loads <paramref name="path"/> (<see cref="OnnxRanker.Load(string, OnnxRankerOptions?, Models.Ranking.RankingFeatureSchema?)"/>) as a pipeline ranker.</summary>
    public static OnnxPipelineRanker Load(string path, OnnxRankerOptions? options = null) => new(OnnxRanker.Load(path, options));

    /// <summary>
    /// Null when a pipeline running <paramref name="config"/> fills the features the model was trained on; otherwise what
    /// differs. Check it where a version is assembled; a request that meets a mismatch fails with the same message.
    /// </summary>
    public string? Mismatch(PipelineConfig config) => Writer.Mismatch(config);

    public ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ReadOnlySpan<float> rows = Writer.Write(input);
        int n = input.Count, f = Ranker.Schema.Count, chunk = Ranker.MaxCandidates;
        Span<float> output = scores.Span;
        // Rows are independent once written (the per-request standardisation is done), so a request larger than the
        // ranker's buffers is scored in pieces.
        for (int start = 0; start < n; start += chunk)
        {
            int m = Math.Min(chunk, n - start);
            Ranker.Score(rows.Slice(start * f, m * f), m, output.Slice(start, m));
        }
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        if (_ownsRanker)
            Ranker.Dispose();
    }
}
