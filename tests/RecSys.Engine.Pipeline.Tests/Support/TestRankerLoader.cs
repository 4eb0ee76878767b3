using System.Collections.Concurrent;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Pipeline.Tests.Support;

/// <summary>
/// The ranker hook as the ONNX project implements it, for tests: every version's ranker file becomes a
/// <see cref="TestRanker"/> (plainly not the fallback: it ranks the merged candidates in reverse merge order),
/// which can hold the requests that reach it until the test opens its gate.
/// </summary>
internal sealed class TestRankerLoader(bool gated = false) : IRankerLoader
{
    public ConcurrentQueue<TestRanker> Loaded { get; } = new();

    /// <summary>The nice value of the thread each Load ran on (Linux; null elsewhere): an ONNX session starts its threads there.</summary>
    public ConcurrentQueue<int?> LoadNices { get; } = new();

    public IRanker Load(string path, RegistryVersion version)
    {
        LoadNices.Enqueue(Core.Threading.LowPriorityTaskScheduler.CurrentThreadNice());
        var ranker = new TestRanker(path, gated);
        Loaded.Enqueue(ranker);
        return ranker;
    }
}
