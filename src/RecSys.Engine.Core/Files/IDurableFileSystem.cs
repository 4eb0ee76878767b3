namespace RecSys.Engine.Core.Files;

/// <summary>
/// The file-system calls a durable write makes (<see cref="DurableFile"/>), behind one seam so that a test can put
/// in a file system that forgets whatever was not fsynced when the power goes (PowerLossSimulator in
/// RecSys.Engine.Testing). Only save paths go through it, never a search path.
/// </summary>
internal interface IDurableFileSystem
{
    /// <summary>Creates (or truncates) <paramref name="path"/> for writing and reading back.</summary>
    FileStream Create(string path, int bufferSize);

    /// <summary>Flushes the stream's buffers and the file's data and size to the disk (fsync).</summary>
    void FlushToDisk(FileStream stream);

    /// <summary>Renames <paramref name="source"/> over <paramref name="destination"/> (same directory: atomic).</summary>
    void Move(string source, string destination);

    void Delete(string path);

    /// <summary>Creates one directory whose parent exists.</summary>
    void CreateDirectory(string path);

    /// <summary>Makes the entries of <paramref name="directory"/> (renames, new files and folders) survive a power loss.</summary>
    void SyncDirectory(string directory);
}
