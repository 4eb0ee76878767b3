using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Ranking.Onnx;

/// <summary>
/// The registry's tower hook on ONNX Runtime: a version's user tower (towers/user_tower.onnx) as an
/// <see cref="OnnxTowerEncoder"/>, checked against the schema of the version's two-tower model, so the two-tower source
/// runs the exported graph per request. A file that does not load or does not match refuses the version, naming it.
/// </summary>
public sealed class OnnxTowerLoader(OnnxRankerOptions? options = null) : ITowerLoader
{
    public ITowerEncoder Load(string path, RegistryVersion version, TowerSchema expected)
    {
        ArgumentNullException.ThrowIfNull(version);
        try
        {
            return OnnxTowerEncoder.Load(path, options, expected);
        }
        catch (InvalidDataException e)
        {
            throw new VersionCorruptedException(version.Id, path, e.Message);
        }
    }
}
