using RecSys.Engine.Core.Threading;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// A ranker loader whose loads run on a <see cref="CallerPriorityThread"/>: a version loaded at low priority still
/// starts its ranker's threads (an ONNX Runtime session's pool) at the server's priority, since threads inherit it.
/// </summary>
internal sealed class CallerPriorityRankerLoader(IRankerLoader inner, CallerPriorityThread thread) : IRankerLoader
{
    public IRanker Load(string path, RegistryVersion version) => thread.Run(() => inner.Load(path, version));
}
