using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Testing;

/// <summary>
/// Pulls the power on a directory tree. While it is alive, every durable write made by this test's code (Core's
/// DurableFile: index files, id and vector files, model directories, the checkpoint manifest) goes through a file
/// system that keeps two views of the tree, as a disk behind a volatile page cache does:
/// <code>
///   live      what the running process sees: the real files
///   durable   what a reboot after a power loss would find: each file's contents as of its last fsync (empty if it
///             was never fsynced), each directory's entries (renames, new files, new folders) as of that
///             directory's last fsync (until then they exist only in memory)
/// </code>
/// <see cref="Crash"/> rewrites the tree to the durable view. What the tree held when the simulator started counts as
/// durable; a file written outside DurableFile is unknown to it and is lost, as data never fsynced may be.
/// <para>With <c>syncFiles: false</c> or <c>syncDirectories: false</c> those fsyncs are dropped, which is exactly the
/// helper with that call removed: tests use it to show that their crash check fails without each fsync.</para>
/// <para>With <c>writeThroughFiles: true</c> a file not written through DurableFile (the files there at the start,
/// and those another writer creates) counts as written through (O_SYNC, as FASTER's log files are): a crash keeps its
/// contents as they are, but only if its directory entry is durable (there at the start, or its directory synced
/// since). That is the case a storage engine's own files need checking for: data synced, names not.</para>
/// The override is an AsyncLocal: tests running in parallel keep the real file system.
/// </summary>
public sealed class PowerLossSimulator : IDisposable
{
    private readonly SimulatedFileSystem _fileSystem;
    private readonly IDurableFileSystem? _previous;
    private bool _installed;

    public PowerLossSimulator(string root, bool syncFiles = true, bool syncDirectories = true, bool writeThroughFiles = false)
    {
        _fileSystem = new SimulatedFileSystem(Normalize(root), syncFiles, syncDirectories, writeThroughFiles);
        _previous = DurableFileSystem.Override;
        DurableFileSystem.Override = _fileSystem;
        _installed = true;
    }

    /// <summary>File fsyncs that reached the disk (none with syncFiles: false).</summary>
    public int FileSyncs => _fileSystem.FileSyncs;

    /// <summary>Directory fsyncs that reached the disk (none with syncDirectories: false).</summary>
    public int DirectorySyncs => _fileSystem.DirectorySyncs;

    /// <summary>Loses everything that was not durable and puts back the real file system.</summary>
    public void Crash()
    {
        ObjectDisposedException.ThrowIf(!_installed, this);
        Uninstall();
        _fileSystem.RewriteToDurableState();
    }

    public void Dispose()
    {
        if (_installed)
            Uninstall();
    }

    private void Uninstall()
    {
        DurableFileSystem.Override = _previous;
        _installed = false;
    }

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    /// <summary>A file's data as the disk holds it; shared by the names that point at it, as an inode is.</summary>
    private sealed class FileData(byte[]? synced, bool writeThrough = false)
    {
        /// <summary>Contents as of the last fsync; null if never fsynced (a power loss leaves it empty).</summary>
        public byte[]? Synced { get; set; } = synced;

        /// <summary>
        /// Written through by another writer: a crash keeps what the file holds then. Cleared when the name is renamed
        /// over or away or deleted (its bytes then are kept as the synced ones): the data stays on the disk, only the name moves.
        /// </summary>
        public bool WriteThrough { get; set; } = writeThrough;
    }

    private sealed class SimulatedFileSystem : IDurableFileSystem
    {
        private readonly string _root;
        private readonly bool _syncFiles;
        private readonly bool _syncDirectories;
        private readonly bool _writeThrough;
        private readonly Lock _lock = new();
        private readonly Dictionary<string, FileData> _liveFiles = [];
        private readonly Dictionary<string, FileData> _durableFiles = [];
        private readonly HashSet<string> _durableDirectories = [];

        public SimulatedFileSystem(string root, bool syncFiles, bool syncDirectories, bool writeThrough)
        {
            _root = root;
            _syncFiles = syncFiles;
            _syncDirectories = syncDirectories;
            _writeThrough = writeThrough;
            _durableDirectories.Add(root);
            foreach (string directory in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
                _durableDirectories.Add(directory);
            foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
                _liveFiles[file] = _durableFiles[file] = writeThrough ? new FileData(null, writeThrough: true) : new FileData(File.ReadAllBytes(file));
        }

        public int FileSyncs { get; private set; }

        public int DirectorySyncs { get; private set; }

        public FileStream Create(string path, int bufferSize)
        {
            var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize);
            lock (_lock)
                _liveFiles[Normalize(path)] = new FileData(null);
            return stream;
        }

        public void FlushToDisk(FileStream stream)
        {
            stream.Flush(flushToDisk: false);
            if (!_syncFiles)
                return;
            var contents = new byte[RandomAccess.GetLength(stream.SafeFileHandle)];
            for (int read = 0; read < contents.Length;)
                read += RandomAccess.Read(stream.SafeFileHandle, contents.AsSpan(read), read);
            lock (_lock)
            {
                string path = Normalize(stream.Name);
                if (!_liveFiles.TryGetValue(path, out var data))
                    _liveFiles[path] = data = new FileData(null);
                data.Synced = contents;
                FileSyncs++;
            }
        }

        public void Move(string source, string destination)
        {
            lock (_lock)
            {
                Pin(Normalize(source));
                Pin(Normalize(destination));
            }
            File.Move(source, destination, overwrite: true);
            lock (_lock)
            {
                _liveFiles.Remove(Normalize(source), out var data);
                _liveFiles[Normalize(destination)] = data ?? new FileData(null);
            }
        }

        public void Delete(string path)
        {
            lock (_lock)
                Pin(Normalize(path));
            File.Delete(path);
            lock (_lock)
                _liveFiles.Remove(Normalize(path));
        }

        public void CreateDirectory(string path) => Directory.CreateDirectory(path);

        public void SyncDirectory(string directory)
        {
            if (!_syncDirectories)
                return;
            string dir = Normalize(directory);
            lock (_lock)
            {
                DirectorySyncs++;
                if (dir != _root && !dir.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    return;
                // The directory's entries as they are now become what a reboot finds. A file this simulator did not
                // create is known by name only: its data was never fsynced through the helper.
                var onDisk = Directory.EnumerateFiles(dir).ToHashSet();
                foreach (string file in onDisk)
                {
                    if (!_liveFiles.ContainsKey(file))
                        _liveFiles[file] = new FileData(null, _writeThrough);
                }
                foreach (string file in ChildrenOf(_liveFiles.Keys, dir).Where(f => !onDisk.Contains(f)).ToList())
                    _liveFiles.Remove(file);
                foreach (string file in ChildrenOf(_durableFiles.Keys, dir).ToList())
                    _durableFiles.Remove(file);
                foreach (string file in onDisk)
                    _durableFiles[file] = _liveFiles[file];
                _durableDirectories.RemoveWhere(d => Path.GetDirectoryName(d) == dir);
                foreach (string sub in Directory.EnumerateDirectories(dir))
                    _durableDirectories.Add(sub);
            }
        }

        // A written-through file whose name is about to move or go: what it holds now is what the disk holds for the
        // old name's entry, should that entry be what a reboot finds.
        private void Pin(string path)
        {
            if (_liveFiles.TryGetValue(path, out var data) && data.WriteThrough && File.Exists(path))
            {
                data.Synced = File.ReadAllBytes(path);
                data.WriteThrough = false;
            }
        }

        private static IEnumerable<string> ChildrenOf(IEnumerable<string> paths, string directory) =>
            paths.Where(p => Path.GetDirectoryName(p) == directory);

        public void RewriteToDurableState()
        {
            lock (_lock)
            {
                // Folders whose entry never reached the disk go with everything in them, deepest first.
                foreach (string dir in Directory.EnumerateDirectories(_root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
                {
                    if (!IsDurableDirectory(dir) && Directory.Exists(dir))
                        Directory.Delete(dir, recursive: true);
                }
                foreach (string file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
                {
                    if (!_durableFiles.ContainsKey(file))
                        File.Delete(file);
                }
                foreach (var (path, data) in _durableFiles)
                {
                    if (!data.WriteThrough && IsDurableDirectory(Path.GetDirectoryName(path)!))
                        File.WriteAllBytes(path, data.Synced ?? []);
                }
            }
        }

        /// <summary>A folder survives if it and every folder above it up to the root are durable entries.</summary>
        private bool IsDurableDirectory(string dir)
        {
            for (string? d = dir; d is not null && d != _root; d = Path.GetDirectoryName(d))
            {
                if (!_durableDirectories.Contains(d))
                    return false;
            }
            return true;
        }
    }
}
