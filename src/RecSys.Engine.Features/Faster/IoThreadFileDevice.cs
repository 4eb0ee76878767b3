using System.Collections.Concurrent;
using System.Diagnostics;
using FASTER.core;
using Microsoft.Win32.SafeHandles;
using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Features.Faster;

/// <summary>
/// A FASTER storage device over local segment files whose reads and writes block threads of its own, never the
/// thread pool's.
///
/// Why: on Linux FASTER 2.6.5 uses <c>ManagedLocalStorageDevice</c>, which runs every read and write as a
/// <c>Task.Run</c> on the pool, and .NET on Linux runs a file's async read or write as a blocking system call on a pool
/// thread; the files are write-through (<c>O_SYNC</c>), so each write holds a pool thread for as long as the disk takes,
/// and the page flushes of a checkpoint hold all of them. On 2 cores the pool starts with 2 threads and adds one only
/// after about half a second without progress, while the requests queued behind those threads wait
/// (bench/results/io-threads-2026-12-07). Here an I/O is a queued request that one of the
/// device's threads executes with a plain positional read or write (<see cref="RandomAccess"/>), then it calls FASTER's
/// callback on that thread, as the managed device does on its pool thread.
///
/// The files are FASTER's, byte for byte: the same names (<c>name.segment</c>), the same offsets, opened with the same
/// options (write-through, which is <c>O_SYNC</c>, so a write is on disk when its callback runs; and FASTER's
/// FILE_FLAG_NO_BUFFERING, which .NET on Linux does not turn into <c>O_DIRECT</c>: reads come through the page cache,
/// as they do on FASTER's device), so a store written by either device opens with the other.
///
/// Reads and writes have separate threads, so a read a request waits for never queues behind a page flush. With no
/// threads at all (<c>threads: 0</c>) an I/O runs on the calling thread and its callback before the call returns: for
/// the small metadata files that FASTER writes and then waits for at once (<see cref="InlineFileDeviceFactory"/>).
/// </summary>
internal sealed class IoThreadFileDevice : StorageDeviceBase
{
    /// <summary>FILE_FLAG_NO_BUFFERING: FASTER's managed device opens its log files with it (see the remarks).</summary>
    private const FileOptions NoBuffering = (FileOptions)0x20000000;

    private readonly ConcurrentDictionary<int, SafeFileHandle> _handles = new();
    private readonly bool _syncNewFiles;
    private readonly HashSet<int> _unsyncedSegments = []; // under _openLock: created, directory sync not yet through
    private readonly Lock _openLock = new();
    private readonly IoQueue? _reads;
    private readonly IoQueue? _writes;
    /// <summary>1 once Dispose began (it runs once).</summary>
    private int _disposed;
    /// <summary>1 once the queues are drained and the files closing: an I/O gets an error code.</summary>
    private volatile bool _closed;
    private long _callbackFailures;

    /// <param name="fileName">The file name before the segment suffix, as for FASTER's devices.</param>
    /// <param name="readThreads">Threads that run reads; 0: reads run on the calling thread.</param>
    /// <param name="writeThreads">Threads that run writes; 0: writes run on the calling thread.</param>
    /// <param name="threadName">Names the threads (what a stack dump and top -H show; Linux keeps the first 15 characters of "name read 1").</param>
    /// <param name="syncNewFiles">
    /// Sync the directory when a segment file is created, before its first I/O: for logs whose acknowledged writes live
    /// in new segments (the KV log, the WAL). Off where something else makes the names durable (checkpoint folders, which
    /// the store syncs before its manifest names them) or none needs to be (FASTER's commit files in fast-commit mode).
    /// </param>
    public IoThreadFileDevice(string fileName, int readThreads, int writeThreads, string threadName, bool syncNewFiles = false)
        : base(fileName, sectorSize: 512, capacity: Devices.CAPACITY_UNSPECIFIED)
    {
        _syncNewFiles = syncNewFiles;
        ArgumentOutOfRangeException.ThrowIfNegative(readThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(writeThreads);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(fileName));
        if (directory is not null) Directory.CreateDirectory(directory);
        if (readThreads > 0) _reads = new IoQueue(this, readThreads, threadName + " read");
        if (writeThreads > 0) _writes = new IoQueue(this, writeThreads, threadName + " write");
    }

    /// <summary>The most one system call reads or writes: 1 GiB (a test lowers it to see the pieces join up).</summary>
    internal int MaxIoBytes { get; init; } = 1 << 30;

    /// <summary>Whether Dispose has begun.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Callbacks of FASTER's that threw (kept, not thrown on: there is no caller to return it to).</summary>
    public long CallbackFailures => Interlocked.Read(ref _callbackFailures);

    /// <summary>The last exception a FASTER callback threw on this device's threads, for a diagnosis.</summary>
    public Exception? LastCallbackFailure { get; private set; }

    public override void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context) =>
        Submit(_reads, false, segmentId, sourceAddress, destinationAddress, readLength, callback, context);

    public override void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context) =>
        Submit(_writes, true, segmentId, destinationAddress, sourceAddress, numBytesToWrite, callback, context);

    private void Submit(IoQueue? queue, bool write, int segment, ulong offset, IntPtr buffer, uint length, DeviceIOCompletionCallback callback, object context)
    {
        // The file is taken now, as FASTER's device takes its stream when an I/O is submitted: an I/O queued before
        // its segment is removed still reaches that file (the descriptor stays open until the I/O releases it), and
        // never recreates it empty.
        SafeFileHandle? handle = null;
        Exception? failure = null;
        try { handle = AcquireHandle(segment); }
        catch (Exception e) { failure = e; }
        var request = new IoRequest(write, handle, failure, offset, buffer, length, callback, context);
        if (queue is null || !queue.TryAdd(request))
        {
            // No threads: run here. Disposed: the queue is closed and the I/O runs here too, with an error code if
            // the files are already closed, as the managed device answers an I/O on a closed file.
            Execute(request);
        }
    }

    /// <summary>Runs one I/O and calls its callback: error 0 and the byte count, or an error code and 0.</summary>
    private unsafe void Execute(in IoRequest request)
    {
        uint error = 0, bytes = 0;
        try
        {
            if (request.Handle is null) throw request.Failure!;
            var handle = request.Handle;
            // FASTER asks for up to 4 GiB in one I/O (a hash index checkpoint writes the whole table at once); a span
            // holds at most 2 GiB, so larger ones go in pieces of MaxIoBytes.
            byte* buffer = (byte*)request.Buffer;
            long length = request.Length, offset = (long)request.Offset, total = 0;
            if (request.Write)
            {
                while (total < length)
                {
                    int piece = (int)Math.Min(length - total, MaxIoBytes);
                    RandomAccess.Write(handle, new ReadOnlySpan<byte>(buffer + total, piece), offset + total);
                    total += piece;
                }
            }
            else
            {
                // A read past the end of the file returns what is there (FASTER reads whole sectors near the tail).
                while (total < length)
                {
                    int n = RandomAccess.Read(handle, new Span<byte>(buffer + total, (int)Math.Min(length - total, MaxIoBytes)), offset + total);
                    if (n == 0) break;
                    total += n;
                }
            }
            bytes = (uint)total;
        }
        catch (Exception e)
        {
            // The managed device's codes: the low 16 bits of an IOException's HResult, otherwise all ones.
            error = e is IOException io && (io.HResult & 0xFFFF) != 0 ? (uint)(io.HResult & 0xFFFF) : uint.MaxValue;
            bytes = 0;
        }
        finally
        {
            request.Handle?.DangerousRelease();
        }
        try
        {
            request.Callback(error, bytes, request.Context);
        }
        catch (Exception e)
        {
            // On the managed device this would end a pool task unobserved; here it must not end the I/O thread.
            Interlocked.Increment(ref _callbackFailures);
            LastCallbackFailure = e;
            Trace.TraceError($"FASTER device callback for {FileName} threw: {e}");
        }
    }

    /// <summary>The segment's file with one more use counted (released by <see cref="Execute"/> after the I/O).</summary>
    private SafeFileHandle AcquireHandle(int segment)
    {
        if (_handles.TryGetValue(segment, out var handle))
        {
            bool added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                return handle;
            }
            catch (ObjectDisposedException) { } // removed meanwhile: the locked path decides
        }
        lock (_openLock)
        {
            if (!_handles.TryGetValue(segment, out handle))
            {
                // Not reopened once closing (a file opened now would never be closed), nor below the segments
                // truncated away (it would come back empty and stay).
                if (_closed) throw new ObjectDisposedException(FileName);
                if (segment < StartSegment) throw new IOException($"segment {segment} of {FileName} was removed (the log begins at segment {StartSegment})");
                string path = GetSegmentFilename(FileName, segment);
                bool sync = _syncNewFiles && (!File.Exists(path) || _unsyncedSegments.Contains(segment));
                handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite,
                    FileShare.ReadWrite, FileOptions.WriteThrough | NoBuffering);
                if (sync)
                {
                    // Its writes are synced (write-through), its name is not: without this a power loss could take a
                    // new segment, and the acknowledged writes in it, with a directory entry that never reached the disk.
                    // Until a sync succeeds the segment is not handed out, and each later I/O on it tries again.
                    _unsyncedSegments.Add(segment);
                    try { DurableFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!); }
                    catch
                    {
                        handle.Dispose();
                        throw;
                    }
                    _unsyncedSegments.Remove(segment);
                }
                _handles[segment] = handle;
            }
            bool added = false;
            handle.DangerousAddRef(ref added);
            return handle;
        }
    }

    public override void RemoveSegment(int segment)
    {
        lock (_openLock)
        {
            // An I/O submitted before keeps the descriptor open until it is done (it holds a use of the handle).
            if (_handles.TryRemove(segment, out var handle)) handle.Dispose();
        }
        try { File.Delete(GetSegmentFilename(FileName, segment)); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result)
    {
        RemoveSegment(segment);
        callback(result);
    }

    public override long GetFileSize(int segment)
    {
        if (segmentSize > 0) return segmentSize;
        var handle = AcquireHandle(segment);
        try { return RandomAccess.GetLength(handle); }
        finally { handle.DangerousRelease(); }
    }

    /// <summary>Closes the files (FASTER calls it to start over on an empty device).</summary>
    public override void Reset()
    {
        lock (_openLock)
        {
            foreach (int segment in _handles.Keys)
                if (_handles.TryRemove(segment, out var handle)) handle.Dispose();
        }
    }

    /// <summary>Lets the queued I/Os finish, stops the threads, closes the files; an I/O submitted later gets an error code.</summary>
    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _reads?.Stop();
        _writes?.Stop();
        lock (_openLock) _closed = true;
        Reset();
    }

    /// <summary>
    /// One read or write: <see cref="Offset"/> in the segment's file (<see cref="Handle"/>, one use of it held), or
    /// the <see cref="Failure"/> to answer when the file could not be had; <see cref="Buffer"/> in memory.
    /// </summary>
    private readonly record struct IoRequest(bool Write, SafeFileHandle? Handle, Exception? Failure, ulong Offset, IntPtr Buffer, uint Length, DeviceIOCompletionCallback Callback, object Context);

    /// <summary>A queue of I/O requests and the threads that run them, oldest first.</summary>
    private sealed class IoQueue
    {
        private readonly IoThreadFileDevice _device;
        private readonly BlockingCollection<IoRequest> _queue = new(new ConcurrentQueue<IoRequest>());
        private readonly Thread[] _threads;

        public IoQueue(IoThreadFileDevice device, int threads, string name)
        {
            _device = device;
            _threads = new Thread[threads];
            for (int i = 0; i < threads; i++)
            {
                _threads[i] = new Thread(Run) { IsBackground = true, Name = threads == 1 ? name : $"{name} {i + 1}" };
                _threads[i].Start();
            }
        }

        /// <summary>False once stopped.</summary>
        public bool TryAdd(in IoRequest request)
        {
            try { return _queue.TryAdd(request); }
            catch (InvalidOperationException) { return false; } // adding completed (a Dispose raced with the submit)
        }

        private void Run()
        {
            foreach (var request in _queue.GetConsumingEnumerable()) _device.Execute(request);
        }

        /// <summary>No new requests; the queued ones run; returns when every thread has ended.</summary>
        public void Stop()
        {
            _queue.CompleteAdding();
            foreach (var thread in _threads)
                if (thread != Thread.CurrentThread) thread.Join();
        }
    }
}
