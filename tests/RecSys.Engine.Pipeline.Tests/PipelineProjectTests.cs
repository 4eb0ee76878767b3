namespace RecSys.Engine.Pipeline.Tests;

public sealed class PipelineProjectTests
{
    [Fact]
    public void Pipeline_depends_on_no_onnx_or_grpc_assembly()
    {
        var referenced = typeof(PipelineAssembly).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();
        Assert.DoesNotContain(referenced, n => n.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal));
        Assert.DoesNotContain(referenced, n => n.StartsWith("Grpc", StringComparison.Ordinal));
    }
}
