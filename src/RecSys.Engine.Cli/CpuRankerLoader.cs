using RecSys.Engine.Ranking.Onnx;

namespace RecSys.Engine.Cli;

/// <summary>
/// The ONNX ranker loader of the commands that open a version in-process without a server config (<c>gen catalog</c>,
/// <c>bench pipeline</c>): the CPU provider, whatever GPU the machine has, so their figures are CPU figures.
/// </summary>
internal static class CpuRankerLoader
{
    public static OnnxRankerLoader Shared { get; } = new(new OnnxRankerOptions { ExecutionProvider = OnnxExecutionProvider.Cpu });
}
