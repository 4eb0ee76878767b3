using RecSys.Engine.Core.Threading;
using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>As <see cref="CallerPriorityRankerLoader"/>, for a version's user tower (an ONNX Runtime session too).</summary>
internal sealed class CallerPriorityTowerLoader(ITowerLoader inner, CallerPriorityThread thread) : ITowerLoader
{
    public ITowerEncoder Load(string path, RegistryVersion version, TowerSchema expected) => thread.Run(() => inner.Load(path, version, expected));
}
