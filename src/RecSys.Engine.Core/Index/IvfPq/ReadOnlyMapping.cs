using System.IO.MemoryMappedFiles;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>A whole file mapped read-only, exposed as a base pointer (the inverted lists of a loaded index).</summary>
internal sealed unsafe class ReadOnlyMapping : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _base;

    private ReadOnlyMapping(MemoryMappedFile file, MemoryMappedViewAccessor view, byte* basePointer, long length)
    {
        _file = file;
        _view = view;
        _base = basePointer;
        Length = length;
    }

    public long Length { get; }

    public byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_base == null, this);
            return _base;
        }
    }

    public static ReadOnlyMapping Open(string path)
    {
        long length = new FileInfo(path).Length;
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            return new ReadOnlyMapping(file, view, p + view.PointerOffset, length);
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

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
