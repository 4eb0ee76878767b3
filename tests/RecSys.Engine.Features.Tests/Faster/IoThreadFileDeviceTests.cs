using System.Runtime.InteropServices;
using FASTER.core;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// The store's FASTER device: its files are FASTER's (the managed device reads what it wrote, and the other way
/// round, for the KV log's segments and for a write-ahead log with its commit files), an I/O queued before its segment
/// is removed still reaches the file, I/O errors and throwing callbacks come back as FASTER expects without ending its
/// threads, Dispose lets queued writes finish, and a read that goes to disk needs no thread-pool thread, which with
/// FASTER's own device it does (the starvation test fails with <c>Devices.CreateLogDevice</c> swapped in: tried).
/// </summary>
[Collection(ThreadPoolStarvationCollection.Name)]
public sealed unsafe class IoThreadFileDeviceTests : IDisposable
{
    private const int SegmentBits = 16; // 64 KiB segments, so a few writes cross files
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Sector-aligned native memory, as FASTER hands to a device.</summary>
    private sealed class AlignedBuffer : IDisposable
    {
        public AlignedBuffer(int length)
        {
            Length = length;
            Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, 4096);
            Span.Clear();
        }

        public byte* Pointer { get; }
        public int Length { get; }
        public Span<byte> Span => new(Pointer, Length);
        public void Dispose() => NativeMemory.AlignedFree(Pointer);
    }

    private static (uint Error, uint Bytes) Io(Action<DeviceIOCompletionCallback> start)
    {
        var done = new TaskCompletionSource<(uint, uint)>(TaskCreationOptions.RunContinuationsAsynchronously);
        start((error, bytes, _) => done.TrySetResult((error, bytes)));
        return Completed(done.Task);
    }

    /// <summary>The result of an I/O callback, waited for on the test's thread (the device's threads complete it).</summary>
    private static T Completed<T>(Task<T> task)
    {
        Assert.True(task.Wait(TimeSpan.FromSeconds(30)), "the I/O never completed");
        return task.Result;
    }

    private static void Write(IDevice device, ulong address, AlignedBuffer buffer)
    {
        var (error, bytes) = Io(cb => device.WriteAsync((IntPtr)buffer.Pointer, address, (uint)buffer.Length, cb, null!));
        Assert.Equal(0u, error);
        Assert.Equal((uint)buffer.Length, bytes);
    }

    private static byte[] Read(IDevice device, ulong address, int length, out uint bytes)
    {
        using var buffer = new AlignedBuffer(length);
        (uint error, bytes) = Io(cb => device.ReadAsync(address, (IntPtr)buffer.Pointer, (uint)length, cb, null!));
        Assert.Equal(0u, error);
        return buffer.Span.ToArray();
    }

    private static IoThreadFileDevice Ours(string path, int threads = 2)
    {
        var device = new IoThreadFileDevice(path, threads, threads, "test device");
        device.Initialize(1L << SegmentBits);
        return device;
    }

    private static IDevice Fasters(string path)
    {
        var device = Devices.CreateLogDevice(path);
        device.Initialize(1L << SegmentBits);
        return device;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Each_device_reads_what_the_other_wrote_at_FASTERs_file_names(bool oursWrites)
    {
        string path = Path.Combine(_dir.Path, "hlog.log");
        var rng = new Random(7);
        // Three pages over three segments, one of them at a segment's very end.
        var writes = new (ulong Address, byte[] Bytes)[]
        {
            (0, new byte[4096]), ((2UL << SegmentBits) - 512, new byte[512]), ((2UL << SegmentBits) + 8192, new byte[16384]),
        };
        foreach (var w in writes) rng.NextBytes(w.Bytes);

        using (var writer = oursWrites ? Ours(path) : Fasters(path))
        {
            foreach (var (address, bytes) in writes)
            {
                using var buffer = new AlignedBuffer(bytes.Length);
                bytes.CopyTo(buffer.Span);
                Write(writer, address, buffer);
            }
        }
        Assert.Equal(["hlog.log.0", "hlog.log.1", "hlog.log.2"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order());

        using var reader = oursWrites ? Fasters(path) : Ours(path);
        foreach (var (address, bytes) in writes)
        {
            Assert.Equal(bytes, Read(reader, address, bytes.Length, out uint n));
            Assert.Equal((uint)bytes.Length, n);
        }
    }

    /// <summary>
    /// FASTER asks for up to 4 GiB in one I/O (a hash index checkpoint), more than one span holds: the device splits it
    /// into pieces of at most <see cref="IoThreadFileDevice.MaxIoBytes"/>, lowered here so the pieces are small. The
    /// bytes land where one write would put them, FASTER's device reads them back, and a split read joins them.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void An_IO_larger_than_the_largest_piece_goes_in_pieces_that_join_up(int threads)
    {
        string path = Path.Combine(_dir.Path, "ht.dat");
        var bytes = new byte[3 * 4096 + 512]; // three whole pieces and part of a fourth
        new Random(11).NextBytes(bytes);
        using (var device = new IoThreadFileDevice(path, threads, threads, "test device") { MaxIoBytes = 4096 })
        {
            using var buffer = new AlignedBuffer(bytes.Length);
            bytes.CopyTo(buffer.Span);
            Write(device, 512, buffer);
            Assert.Equal(bytes, Read(device, 512, bytes.Length, out uint n));
            Assert.Equal((uint)bytes.Length, n);
        }
        Assert.Equal(bytes, File.ReadAllBytes(path + ".0")[512..]);
        using var fasters = Devices.CreateLogDevice(path);
        Assert.Equal(bytes, Read(fasters, 512, bytes.Length, out _));
    }

    /// <summary>
    /// A log's writes are synced (write-through) but a new segment's name is not until its directory is: the KV log and
    /// the WAL devices sync it when they create the file, so a power loss cannot take a segment, and the acknowledged
    /// writes in it, with it. Without (<c>syncNewFiles: false</c>, as FASTER's device) the file is gone after the crash.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_new_segment_survives_a_power_loss_when_the_device_syncs_its_directory(bool syncNewFiles)
    {
        string dir = Path.Combine(_dir.Path, "wal");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "wal.log");
        var bytes = new byte[4096];
        new Random(5).NextBytes(bytes);
        using (var power = new PowerLossSimulator(dir, writeThroughFiles: true))
        {
            using (var device = new IoThreadFileDevice(path, 1, 1, "test device", syncNewFiles))
            {
                device.Initialize(1L << SegmentBits);
                using var buffer = new AlignedBuffer(bytes.Length);
                bytes.CopyTo(buffer.Span);
                Write(device, 1UL << SegmentBits, buffer); // the first write of segment 1 creates wal.log.1
            }
            power.Crash();
        }
        if (syncNewFiles)
            Assert.Equal(bytes, File.ReadAllBytes(path + ".1"));
        else
            Assert.False(File.Exists(path + ".1"));
    }

    [Fact]
    public void A_read_past_the_end_of_a_file_returns_the_bytes_that_are_there()
    {
        using var device = Ours(Path.Combine(_dir.Path, "hlog.log"));
        using var page = new AlignedBuffer(1024);
        page.Span.Fill(9);
        Write(device, 0, page);
        byte[] read = Read(device, 0, 4096, out uint bytes);
        Assert.Equal(1024u, bytes);
        Assert.All(read[..1024], b => Assert.Equal(9, b));
    }

    [Fact]
    public void An_IO_that_fails_answers_an_error_code_and_a_callback_that_throws_ends_no_thread()
    {
        using var device = Ours(Path.Combine(_dir.Path, "hlog.log"), threads: 1);
        using var buffer = new AlignedBuffer(512);

        // A segment whose file cannot be opened (a directory stands at its name): the device answers with an error
        // code (any non-zero value is a failure to FASTER), and not an exception on its thread.
        Directory.CreateDirectory(Path.Combine(_dir.Path, "hlog.log.3"));
        var (error, bytes) = Io(cb => device.WriteAsync((IntPtr)buffer.Pointer, 3, 0UL, 512u, cb, null!));
        Assert.NotEqual(0u, error);
        Assert.Equal(0u, bytes);

        // A callback that throws: counted, and the single write thread goes on to the next I/O.
        device.WriteAsync((IntPtr)buffer.Pointer, 0UL, 512u, (_, _, _) => throw new InvalidOperationException("callback failed"), null!);
        Write(device, 512, buffer);
        Assert.Equal(1, device.CallbackFailures);
        Assert.IsType<InvalidOperationException>(device.LastCallbackFailure);
    }

    /// <summary>
    /// A read queued behind a slow one while its segment is removed (FASTER removes segments below the log's begin
    /// address): it reads the bytes that were there, as on FASTER's device, and the removed file is not created again.
    /// </summary>
    [Fact]
    public void A_read_queued_before_its_segment_is_removed_reads_the_file_and_does_not_recreate_it()
    {
        using var device = Ours(Path.Combine(_dir.Path, "hlog.log"), threads: 1);
        using var page = new AlignedBuffer(4096);
        page.Span.Fill(5);
        Write(device, 1UL << SegmentBits, page); // segment 1
        Write(device, 0, page); // segment 0

        // The single read thread held in a callback until the removal is done.
        using var held = new ManualResetEventSlim(false);
        using var first = new AlignedBuffer(512);
        device.ReadAsync(0UL, (IntPtr)first.Pointer, 512u, (_, _, _) => held.Wait(), null!);
        using var queued = new AlignedBuffer(4096);
        var done = new TaskCompletionSource<(uint, uint)>(TaskCreationOptions.RunContinuationsAsynchronously);
        device.ReadAsync(1UL << SegmentBits, (IntPtr)queued.Pointer, 4096u, (e, n, _) => done.TrySetResult((e, n)), null!);
        device.RemoveSegment(1);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "hlog.log.1")));
        held.Set();

        Assert.Equal((0u, 4096u), Completed(done.Task));
        Assert.All(queued.Span.ToArray(), b => Assert.Equal(5, b));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "hlog.log.1")), "the removed segment came back");
    }

    [Fact]
    public void Dispose_lets_queued_writes_finish_and_later_IO_gets_an_error_code()
    {
        string path = Path.Combine(_dir.Path, "hlog.log");
        const int pages = 64;
        using var buffer = new AlignedBuffer(4096);
        buffer.Span.Fill(3);
        var results = new (uint Error, uint Bytes)[pages];
        int completed = 0;
        var device = Ours(path, threads: 1);
        for (int i = 0; i < pages; i++)
        {
            int page = i;
            device.WriteAsync((IntPtr)buffer.Pointer, (ulong)page * 4096, 4096u, (e, n, _) => { results[page] = (e, n); Interlocked.Increment(ref completed); }, null!);
        }
        device.Dispose();
        Assert.Equal(pages, Volatile.Read(ref completed));
        Assert.All(results, r => Assert.Equal((0u, 4096u), r));
        Assert.Equal(pages * 4096L / (1L << SegmentBits), Directory.GetFiles(_dir.Path).Length);

        var (error, _) = Io(cb => device.WriteAsync((IntPtr)buffer.Pointer, 0UL, 4096u, cb, null!));
        Assert.NotEqual(0u, error);
    }

    /// <summary>
    /// A KV whose old records are on disk; with the pool starved, a read of one of them completes on a thread that
    /// waits for it (as the store's applier does). With FASTER's device the read itself is a pool task behind the
    /// queue, so the waiting thread waits for the pool.
    /// </summary>
    [Fact]
    public void A_read_from_disk_needs_no_thread_pool_thread()
    {
        const long keys = 20_000;
        using var device = new IoThreadFileDevice(Path.Combine(_dir.Path, "kv", "hlog.log"), 2, 2, "test KV");
        using var kv = new FasterKV<long, long>(1L << 14, new LogSettings { LogDevice = device, PageSizeBits = 12, MemorySizeBits = 15 });
        using (var session = kv.For(new SimpleFunctions<long, long>()).NewSession<SimpleFunctions<long, long>>())
        {
            for (long k = 0; k < keys; k++) session.Upsert(k, k * 3);
            session.CompletePending(wait: true);
        }
        Assert.True(kv.Log.HeadAddress > kv.Log.BeginAddress, "nothing went to disk; the test tests nothing");

        var gate = ThreadPoolStarvation.Begin();
        try
        {
            long value = -1;
            bool wentToDisk = false;
            ThreadPoolStarvation.RunOnOwnThreadWithin20s(() =>
            {
                using var session = kv.For(new SimpleFunctions<long, long>()).NewSession<SimpleFunctions<long, long>>();
                long key = 5, output = 0;
                var status = session.Read(ref key, ref output);
                wentToDisk = status.IsPending;
                if (status.IsPending)
                {
                    session.CompletePendingWithOutputs(out var outputs, wait: true);
                    using (outputs)
                        while (outputs.Next()) output = outputs.Current.Output;
                }
                value = output;
            }, "the read from disk waited for the thread pool");
            Assert.True(wentToDisk);
            Assert.Equal(15, value);
        }
        finally
        {
            gate.Set();
        }
    }

    /// <summary>A log with the store's settings, on small pages (several per test).</summary>
    private static FasterLog StoresWal(string dir, IDevice device, ILogCommitManager? commitManager) =>
        new(FasterFeatureStore.WalSettings(dir, device, commitManager, pageSizeBits: 12, memorySizeBits: 14));

    private static byte[] Entry(int i) => BitConverter.GetBytes(i * 7919L);

    /// <summary>The write-ahead log as the store runs it (our device, our commit manager) and as FASTER does by default, each reopening the other's.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_write_ahead_log_written_by_either_reopens_with_the_other(bool oursWrites)
    {
        string dir = _dir.Path;
        string file = Path.Combine(dir, "wal.log");
        const int entries = 3000; // several pages
        {
            using var device = oursWrites ? new IoThreadFileDevice(file, 1, 2, "test WAL") : Devices.CreateLogDevice(file);
            using var manager = oursWrites ? FasterFeatureStore.NewWalCommitManager(dir) : null;
            using var log = StoresWal(dir, device, manager);
            for (int i = 0; i < entries; i++)
            {
                log.Enqueue(Entry(i));
                if (i % 500 == 499) log.Commit(spinWait: true);
            }
            log.Commit(spinWait: true);
        }

        using var device2 = oursWrites ? Devices.CreateLogDevice(file) : new IoThreadFileDevice(file, 1, 2, "test WAL");
        using var manager2 = oursWrites ? null : FasterFeatureStore.NewWalCommitManager(dir);
        using var reopened = StoresWal(dir, device2, manager2);
        var read = new List<byte[]>();
        using (var scan = reopened.Scan(reopened.BeginAddress, reopened.TailAddress))
            while (scan.GetNext(out byte[] entry, out _, out _)) read.Add(entry);
        Assert.Equal(entries, read.Count);
        for (int i = 0; i < entries; i++) Assert.Equal(Entry(i), read[i]);
    }

    /// <summary>
    /// The store's log (its device and commit manager) that was never closed, as after a crash, recovers every committed
    /// entry; and its commit files are FASTER's (one kept, the newest).
    /// </summary>
    [Fact]
    public void A_log_that_was_never_closed_recovers_every_committed_entry()
    {
        string dir = _dir.Path;
        string file = Path.Combine(dir, "wal.log");
        const int commits = 60, perCommit = 7;
        var device = new IoThreadFileDevice(file, 1, 2, "test WAL");
        var manager = FasterFeatureStore.NewWalCommitManager(dir);
        var crashed = StoresWal(dir, device, manager);
        for (int c = 0; c < commits; c++)
        {
            for (int i = 0; i < perCommit; i++) crashed.Enqueue(Entry(c * perCommit + i));
            crashed.Commit(spinWait: true);
            crashed.WaitForCommit(crashed.TailAddress);
        }
        // FASTER deletes the older commit files in the background.
        string commitDir = Path.Combine(dir, "log-commits");
        for (int i = 0; i < 200 && Directory.GetFiles(commitDir).Length > 1; i++) Thread.Sleep(50);
        Assert.Equal([$"commit.{commits}.0"], Directory.GetFiles(commitDir).Select(Path.GetFileName));
        try
        {
            // Not disposed: reopened as a restart after a crash would find it.
            using var device2 = new IoThreadFileDevice(file, 1, 2, "test WAL");
            using var manager2 = FasterFeatureStore.NewWalCommitManager(dir);
            using var reopened = StoresWal(dir, device2, manager2);
            var read = new List<byte[]>();
            using (var scan = reopened.Scan(reopened.BeginAddress, reopened.TailAddress))
                while (scan.GetNext(out byte[] entry, out _, out _)) read.Add(entry);
            Assert.Equal(commits * perCommit, read.Count);
            for (int i = 0; i < read.Count; i++) Assert.Equal(Entry(i), read[i]);
        }
        finally
        {
            crashed.Dispose();
            manager.Dispose();
            device.Dispose();
        }
    }
}
