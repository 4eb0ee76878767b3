using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Experiments;

/// <summary>
/// Loads what experiment variants name by registry version id (<see cref="VariantConfig.Version"/>,
/// <see cref="VariantConfig.Ranker"/>). The pipeline knows no registry: <see cref="ServingState"/> implements this
/// over its registry, so the pipeline layer stays free of file formats and ONNX.
/// </summary>
public interface IVariantVersionSource
{
    /// <summary>
    /// The registry version <paramref name="versionId"/>, loaded and attached to the pipeline's catalog. The caller
    /// owns it: <see cref="PipelineVersion.Retire"/> when done.
    /// </summary>
    ValueTask<PipelineVersion> LoadVersionAsync(string versionId, CancellationToken cancellationToken);

    /// <summary>The ranker of registry version <paramref name="versionId"/>; the caller disposes it when it is disposable.</summary>
    ValueTask<IRanker> LoadRankerAsync(string versionId, CancellationToken cancellationToken);
}
