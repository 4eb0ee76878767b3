using RecSys.Engine.Models.TwoTower;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// Turns a version's user-tower file (.onnx) into the encoder the two-tower source runs per request. The pipeline
/// references no ONNX: RecSys.Engine.Ranking.Onnx implements this (OnnxTowerLoader) and the server hands it to the
/// loader (<see cref="VersionLoadOptions.TowerLoader"/>). Without one, a version serves its two-tower through the
/// model's C# forward pass (the same arithmetic). What it returns belongs to the version: a disposable encoder is
/// disposed after the version's last request.
/// </summary>
public interface ITowerLoader
{
    /// <param name="path">The tower file (full path, hash already checked when the load verifies).</param>
    /// <param name="version">The version it ships with.</param>
    /// <param name="expected">The schema of the version's two-tower model: the file must match it (features, id slots, padding id, dimension).</param>
    ITowerEncoder Load(string path, RegistryVersion version, TowerSchema expected);
}
