namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>Opens the right <see cref="IVectorReader"/> for a file, chosen by its extension.</summary>
public static class VectorReaders
{
    /// <summary>The extensions <see cref="Open"/> understands (lower case, with the dot).</summary>
    public static IReadOnlyList<string> SupportedExtensions { get; } = [".fvecs", ".ivecs", ".bvecs", ".npy", ".csv"];

    /// <summary>Opens <paramref name="path"/> with the reader its extension names (case-insensitive).</summary>
    /// <exception cref="NotSupportedException">The extension is not one of <see cref="SupportedExtensions"/>.</exception>
    /// <exception cref="System.IO.InvalidDataException">The file's header or first row is malformed.</exception>
    public static IVectorReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".fvecs" => new FvecsReader(path),
            ".ivecs" => new IvecsReader(path),
            ".bvecs" => new BvecsReader(path),
            ".npy" => new NpyReader(path),
            ".csv" => new CsvReader(path),
            _ => throw new NotSupportedException(
                $"{path}: extension '{extension}' is not a supported vector format ({string.Join(", ", SupportedExtensions)})."),
        };
    }
}
