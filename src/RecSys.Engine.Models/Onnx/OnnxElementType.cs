namespace RecSys.Engine.Models.Onnx;

/// <summary>Tensor element types (the values of onnx.TensorProto.DataType) the graph builder writes.</summary>
public enum OnnxElementType
{
    Float = 1,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Double = 11,
}
