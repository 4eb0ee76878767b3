using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Vectors.Storage;

/// <summary>
/// A RecSys vector file mapped read-only into memory. Rows are exposed as spans straight over the
/// mapping: nothing is copied into managed arrays, the page cache is the only copy, and several
/// processes serving the same index share it.
/// </summary>
public sealed unsafe class MappedVectorFile : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _base;
    private readonly long _length;

    private MappedVectorFile(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* basePointer, long length, VectorFileHeader header)
    {
        Path = path;
        _file = file;
        _view = view;
        _base = basePointer;
        _length = length;
        Header = header;
    }

    public string Path { get; }

    public VectorFileHeader Header { get; }

    public long Count => Header.Count;

    public int Dimension => Header.Dimension;

    /// <summary>Distance between row starts, in floats.</summary>
    public int RowStrideFloats => Header.RowStrideBytes / sizeof(float);

    /// <summary>Start of the mapping (the header), for madvise / mlock through RecSys.Engine.Native.</summary>
    public byte* MappingPointer => _base;

    public long MappingLength => _length;

    /// <summary>
    /// Serve this mapping from 2 MiB pages where the kernel and file system can (<see cref="LargePageMemory.PreferHugePagesForFile"/>):
    /// call before the first row is read; the file's cached pages are dropped and read back on first use. Returns why
    /// not, or null when the advice took (whether the pages come back huge is then the kernel's call).
    /// </summary>
    public string? PreferHugePages()
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        return LargePageMemory.PreferHugePagesForFile(_base, (nuint)_length, Path);
    }

    /// <summary>Reads every page of the mapping now (one byte per 4 KiB), so the first searches take no page faults.</summary>
    public void Prefault()
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        byte sum = 0;
        for (long off = 0; off < _length; off += 4096)
            sum ^= _base[off];
        GC.KeepAlive(sum);
    }

    /// <summary>Pointer to row 0 (64-byte aligned within the file).</summary>
    public float* RowsPointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_base == null, this);
            return (float*)(_base + VectorFileHeader.Size);
        }
    }

    public static MappedVectorFile Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new FileNotFoundException($"{full}: vector file not found", full);
        long length = new FileInfo(full).Length;
        Span<byte> headerBytes = stackalloc byte[VectorFileHeader.Size];
        using (var fs = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            int read = fs.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false);
            headerBytes = headerBytes[..read];
        }
        var header = VectorFileHeader.Read(headerBytes, length, full);

        var file = MemoryMappedFile.CreateFromFile(full, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            p += view.PointerOffset;
            return new MappedVectorFile(full, file, view, p, length, header);
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>Row <paramref name="index"/> as float32 values (Dimension long).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<float> GetRow(long index)
    {
        if ((ulong)index >= (ulong)Header.Count)
            ThrowRowOutOfRange(index);
        EnsureFloat32();
        return new ReadOnlySpan<float>(RowsPointer + index * RowStrideFloats, Header.Dimension);
    }

    /// <summary>
    /// <paramref name="count"/> consecutive rows from <paramref name="start"/>, with padding, as one span of
    /// (count - 1) * RowStrideFloats + Dimension floats: the input shape of DotProduct.ComputeMany.
    /// </summary>
    public ReadOnlySpan<float> GetRows(long start, int count)
    {
        if (start < 0 || count < 0 || start + count > Header.Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) are outside [0, {Header.Count})");
        EnsureFloat32();
        if (count == 0)
            return ReadOnlySpan<float>.Empty;
        long floats = (long)(count - 1) * RowStrideFloats + Header.Dimension;
        return new ReadOnlySpan<float>(RowsPointer + start * RowStrideFloats, checked((int)floats));
    }

    private void EnsureFloat32()
    {
        if (Header.ElementType != VectorElementType.Float32)
            throw new NotSupportedException($"{Path}: rows are {Header.ElementType}; only Float32 rows can be read as floats");
    }

    private void ThrowRowOutOfRange(long index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"{Path} has {Header.Count} rows");

    public void Dispose()
    {
        if (_base == null)
            return;
        _base = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
