namespace RecSys.Engine.Core.Vectors;

/// <summary>Element type of a stored vector. The numeric values are stored in file headers: never renumber.</summary>
public enum VectorElementType
{
    Float32 = 1,
    Float16 = 2,
    UInt8 = 3,
}
