namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>Shared plumbing for the readers and writers: how files are opened and how errors are worded.</summary>
internal static class ReaderIO
{
    /// <summary>
    /// 1 MiB: large enough that a sequential scan is a few syscalls per megabyte and the kernel's
    /// read-ahead stays busy, small enough to be irrelevant next to the data.
    /// </summary>
    public const int BufferSize = 1 << 20;

    public static FileStream OpenRead(string path, int bufferSize = BufferSize)
    {
        ThrowIfBigEndian();
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, FileOptions.SequentialScan);
    }

    public static FileStream Create(string path)
    {
        ThrowIfBigEndian();
        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.SequentialScan);
    }

    /// <summary>
    /// Every format we read is little-endian, and the readers move payload bytes straight into the
    /// caller's span without swapping. Refuse loudly on a big-endian host rather than return garbage.
    /// </summary>
    private static void ThrowIfBigEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Vector file readers and writers require a little-endian host.");
        }
    }

    public static InvalidDataException Error(string path, string reason) => new($"{path}: {reason}");

    public static InvalidDataException RowError(string path, long row, string reason) => new($"{path}: row {row}: {reason}");

    public static InvalidDataException LineError(string path, long line, string reason) => new($"{path}: line {line}: {reason}");

    /// <summary>
    /// A NaN or infinite component is malformed input, not a vector: every index and model downstream would either
    /// refuse it far from the file (without the file's name and row) or be poisoned by it. Caught here, once, for
    /// every binary format (CSV checks each parsed field itself).
    /// </summary>
    public static void CheckFinite(string path, long row, ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw RowError(path, row, $"component {i} is {values[i]} (NaN and infinite values are not allowed in a vector)");
        }
    }

    public static void CheckRowLength(int length, int dimension, string parameterName)
    {
        if (length != dimension)
        {
            throw new ArgumentException($"Row length {length} does not match the dimension {dimension}.", parameterName);
        }
    }
}
