namespace RecSys.Engine.Models.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size, or a symbolic name (free across runs, e.g. "candidates").</summary>
public readonly record struct OnnxDimension
{
    private OnnxDimension(long? size, string? symbol)
    {
        Size = size;
        Symbol = symbol;
    }

    public long? Size { get; }

    public string? Symbol { get; }

    public static implicit operator OnnxDimension(long size) =>
        size >= 0 ? new(size, null) : throw new ArgumentOutOfRangeException(nameof(size), $"a fixed dimension is >= 0, got {size}");

    public static implicit operator OnnxDimension(string symbol) =>
        !string.IsNullOrEmpty(symbol) ? new(null, symbol) : throw new ArgumentException("a symbolic dimension needs a name", nameof(symbol));

    public override string ToString() => Symbol ?? Size!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
