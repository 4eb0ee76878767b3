using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// Turns a version's ranker file into the pipeline's <see cref="IRanker"/>. The pipeline references no ONNX: the
/// ONNX project (RecSys.Engine.Ranking.Onnx) implements this, and the server hands it to the loader
/// (<see cref="VersionLoadOptions.RankerLoader"/>). What it returns belongs to the version: a disposable ranker is
/// disposed when the version is released, after its last request.
/// </summary>
public interface IRankerLoader
{
    /// <param name="path">The ranker file (full path, hash already checked when the load verifies).</param>
    /// <param name="version">The version it ships with (id, manifest: training summary, metrics).</param>
    IRanker Load(string path, RegistryVersion version);
}
