namespace RecSys.Engine.Ranking.Onnx;

/// <summary>Where ONNX Runtime runs the ranker.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>CUDA when its libraries load, else CPU (with one log line saying why).</summary>
    Auto = 0,

    /// <summary>CUDA or a clear error: never a silent CPU fallback.</summary>
    Cuda = 1,

    Cpu = 2,
}
