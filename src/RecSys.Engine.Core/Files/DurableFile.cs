using System.Text;

namespace RecSys.Engine.Core.Files;

/// <summary>
/// A file written so that a crash or a power loss leaves at its path either the old file or the whole new one, never
/// a torn or an empty one. Every RecSys file format is saved through it:
/// <code>
///   Create     path.tmp in the same directory (a rename is atomic only within one file system)
///   Stream     the format writes, and may seek back to patch its header
///   Commit     fsync path.tmp -> rename over path -> fsync the directory
///   Dispose    without Commit: path.tmp is deleted and path is left as it was
/// </code>
/// The file fsync puts the data on the disk before the name points at it (without it a power loss can leave the new
/// name on an empty file); the directory fsync puts the rename itself on the disk (without it the old file, or none,
/// can come back). A reader still checks what it reads (<see cref="BinaryFileFormat"/>): a file damaged after the save
/// is reported, not served.
/// </summary>
public sealed class DurableFile : IDisposable
{
    private readonly IDurableFileSystem _fileSystem;
    private readonly FileStream _stream;
    private bool _finished;

    private DurableFile(string path, int bufferSize)
    {
        _fileSystem = DurableFileSystem.Current;
        Path = System.IO.Path.GetFullPath(path);
        TempPath = Path + ".tmp";
        _stream = _fileSystem.Create(TempPath, bufferSize);
    }

    /// <summary>Starts writing <paramref name="path"/>: nothing is visible there until <see cref="Commit"/>.</summary>
    public static DurableFile Create(string path, int bufferSize = 1 << 20) => new(path, bufferSize);

    /// <summary>The full path the file is committed to.</summary>
    public string Path { get; }

    /// <summary>Where the data goes until <see cref="Commit"/>: <see cref="Path"/> + ".tmp".</summary>
    public string TempPath { get; }

    /// <summary>The temporary file, open for writing (and reading back).</summary>
    public FileStream Stream
    {
        get
        {
            ObjectDisposedException.ThrowIf(_finished, this);
            return _stream;
        }
    }

    /// <summary>Puts the file on the disk under <see cref="Path"/>, replacing what was there.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _fileSystem.FlushToDisk(_stream);
        _stream.Dispose();
        _fileSystem.Move(TempPath, Path);
        _fileSystem.SyncDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _finished = true;
    }

    public void Dispose()
    {
        if (_finished)
            return;
        _finished = true;
        _stream.Dispose();
        try { _fileSystem.Delete(TempPath); } catch (IOException) { /* best effort: the leftover is clearly named .tmp */ }
    }

    /// <summary><paramref name="bytes"/> as the whole file at <paramref name="path"/>, durably.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = Create(path, bufferSize: 1);
        file.Stream.Write(bytes);
        file.Commit();
    }

    /// <summary>One UTF-8 line per string (what File.WriteAllLines writes), durably.</summary>
    public static void WriteAllLines(string path, IEnumerable<string> lines)
    {
        using var file = Create(path, bufferSize: 1);
        using (var writer = new StreamWriter(file.Stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true))
        {
            foreach (string line in lines)
                writer.WriteLine(line);
        }
        file.Commit();
    }

    /// <summary>
    /// Makes the entries of <paramref name="directory"/> (its new files and folders, renames in it) survive a power
    /// loss: for files that another writer created with their data already synced (a storage engine's write-through
    /// log files, checkpoint folders), before anything durable points at them. A no-op where the operating system
    /// needs none (see OperatingSystemFileSystem).
    /// </summary>
    public static void SyncDirectory(string directory) =>
        DurableFileSystem.Current.SyncDirectory(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(directory)));

    /// <summary>
    /// Creates <paramref name="path"/> and any missing parents, each made durable in its parent directory, so files
    /// committed inside it cannot vanish with a directory entry that never reached the disk.
    /// </summary>
    public static void CreateDirectory(string path)
    {
        string full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        if (Directory.Exists(full))
            return;
        string? parent = System.IO.Path.GetDirectoryName(full);
        if (parent is not null)
            CreateDirectory(parent);
        var fileSystem = DurableFileSystem.Current;
        fileSystem.CreateDirectory(full);
        if (parent is not null)
            fileSystem.SyncDirectory(parent);
    }
}
