namespace RecSys.Engine.Pipeline;

/// <summary>Marks the assembly; the request path lands here (issue 13).</summary>
internal static class PipelineAssembly;
