using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Files;

/// <summary>
/// What every RecSys binary file starts with, and the checks every reader makes before trusting one:
/// <code>
///   offset 0   8 magic bytes naming the format ("RSYSIDS\0", "RSYSHNSW", ...)
///   offset 8   int32 little-endian format version
///   ...        the rest of a fixed-size header, the format's own fields
/// </code>
/// then that the sizes the header promises agree with the file's length, which is how a torn or truncated file is
/// caught. Each fault is an <see cref="InvalidDataException"/> that names the file and what is wrong.
/// </summary>
public sealed class BinaryFileFormat
{
    public const int MagicLength = 8;
    private const int VersionOffset = 8;
    private readonly byte[] _magic;

    /// <param name="name">The format in words, for messages: "RecSys id file", "HNSW graph file".</param>
    public BinaryFileFormat(string name, ReadOnlySpan<byte> magic, int version, int headerSize)
    {
        if (magic.Length != MagicLength)
            throw new ArgumentException($"the magic is {magic.Length} bytes; formats use {MagicLength}", nameof(magic));
        ArgumentOutOfRangeException.ThrowIfLessThan(headerSize, VersionOffset + sizeof(int));
        Name = name;
        _magic = magic.ToArray();
        Version = version;
        HeaderSize = headerSize;
    }

    public string Name { get; }

    public ReadOnlySpan<byte> Magic => _magic;

    public int Version { get; }

    public int HeaderSize { get; }

    /// <summary>Zeroes the first <see cref="HeaderSize"/> bytes of <paramref name="header"/> and writes magic and version.</summary>
    public void WriteHeader(Span<byte> header)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException($"{Name}s are little-endian");
        header[..HeaderSize].Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[VersionOffset..], Version);
    }

    /// <summary>
    /// Opens <paramref name="path"/>, reads the header into <paramref name="header"/> (<see cref="HeaderSize"/> bytes)
    /// and checks it (<see cref="CheckHeader"/>). The stream is left just past the header.
    /// </summary>
    public FileStream OpenRead(string path, Span<byte> header, int bufferSize = 1 << 20)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: {Name} not found", path);
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
        try
        {
            int read = fs.ReadAtLeast(header[..HeaderSize], HeaderSize, throwOnEndOfStream: false);
            CheckHeader(header[..read], fs.Length, path);
            return fs;
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks a header read from <paramref name="path"/>, a file of <paramref name="fileLength"/> bytes: whole,
    /// this format's magic, this build's version.
    /// </summary>
    public void CheckHeader(ReadOnlySpan<byte> header, long fileLength, string path)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException($"{Name}s are little-endian");
        if (fileLength < HeaderSize || header.Length < HeaderSize)
            throw new InvalidDataException($"{path}: truncated {Name}: {fileLength} bytes, the header alone needs {HeaderSize}");
        if (!header[..MagicLength].SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a {Name} (wrong magic bytes)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[VersionOffset..]);
        if (version != Version)
            throw new InvalidDataException($"{path}: {Name} version {version} is not supported (this build reads version {Version})");
    }

    /// <summary>The file must be exactly <paramref name="expected"/> bytes; <paramref name="contents"/> says what needs them ("3 x 4 doubles").</summary>
    public void RequireLength(string path, long length, long expected, string contents)
    {
        if (length != expected)
            throw new InvalidDataException($"{path}: {length} bytes, but {contents} need exactly {expected} ({(length < expected ? "truncated" : "trailing bytes")} or corrupt)");
    }

    /// <summary>
    /// Writes a file of this format that is one array: the header with the element count as int64 at offset 16, then
    /// the elements little-endian, through <see cref="DurableFile"/>. The header must be at least 24 bytes.
    /// </summary>
    public void WriteArray<T>(string path, ReadOnlySpan<T> items) where T : unmanaged
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        WriteHeader(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[CountOffset..], items.Length);
        using var file = DurableFile.Create(path);
        file.Stream.Write(header);
        file.Stream.Write(MemoryMarshal.AsBytes(items));
        file.Commit();
    }

    /// <summary>
    /// Reads a file <see cref="WriteArray"/> wrote: at most <paramref name="maxCount"/> elements (<paramref name="what"/>
    /// names them in errors), and the file exactly that long (<paramref name="exactLength"/>) or at least that long.
    /// </summary>
    public T[] ReadArray<T>(string path, long maxCount, string what, bool exactLength) where T : unmanaged
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        using var fs = OpenRead(path, header);
        long count = BinaryPrimitives.ReadInt64LittleEndian(header[CountOffset..]);
        if (count < 0 || count > Math.Min(maxCount, Array.MaxLength))
            throw new InvalidDataException($"{path}: {count} {what}, but at most {Math.Min(maxCount, Array.MaxLength)} can be here");
        long expected = HeaderSize + count * Marshal.SizeOf<T>();
        if (exactLength)
            RequireLength(path, fs.Length, expected, $"{count} {what}");
        else
            RequireAtLeast(path, fs.Length, expected, $"{count} {what}");
        var items = new T[count];
        fs.ReadExactly(MemoryMarshal.AsBytes(items.AsSpan()));
        return items;
    }

    private const int CountOffset = 16;

    /// <summary>The file must hold at least <paramref name="expected"/> bytes; <paramref name="contents"/> says what needs them.</summary>
    public void RequireAtLeast(string path, long length, long expected, string contents)
    {
        if (length < expected)
            throw new InvalidDataException($"{path}: truncated {Name}: {length} bytes, but {contents} need {expected}");
    }
}
