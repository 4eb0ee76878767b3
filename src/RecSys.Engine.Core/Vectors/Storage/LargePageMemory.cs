using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Vectors.Storage;

/// <summary>
/// Zeroed native memory for large, randomly read arrays (HNSW rows and link lists), backed by 2 MiB transparent
/// huge pages where Linux allows it.
/// <para>
/// Why: a graph search reads a few hundred rows scattered over the whole index. With 4 KiB pages each row is also a
/// TLB miss once the index is past a few MiB (a 1M x 96 float32 index is 384 MiB, 98,304 pages, against a
/// second-level TLB of a few thousand entries), and the page walk is one more dependent miss before the row's own.
/// 2 MiB pages cover the same index with 192 entries. glibc's malloc never asks for them (the machine's THP mode is
/// usually <c>madvise</c>), so the chunk is mapped here, aligned to 2 MiB, and advised MADV_HUGEPAGE.
/// </para>
/// <para>
/// Memory is committed on first touch, as with malloc, but a touched range costs a 2 MiB page rather than 4 KiB:
/// a tiny index pays up to 2 MiB per array. Off Linux, or when mmap is refused, it falls back to an aligned,
/// cleared allocation; madvise refusing is not an error (the mapping still works, on small pages).
/// </para>
/// </summary>
internal static unsafe partial class LargePageMemory
{
    internal const nuint HugePageBytes = 2 << 20;

    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private const int MadvHugePage = 14;
    private const int PosixFadvDontNeed = 4;
    private static readonly nint MapFailed = -1;

    /// <summary>Off only for the A/B harness (RECSYS_LARGE_PAGES=0): everything else takes the default.</summary>
    internal static readonly bool Enabled =
        OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("RECSYS_LARGE_PAGES") != "0";

    /// <summary>Zeroed memory of at least <paramref name="bytes"/>, 64-byte aligned at least; free with <see cref="Free"/> and the same size.</summary>
    public static void* Allocate(nuint bytes)
    {
        if (!Enabled)
        {
            void* p = NativeMemory.AlignedAlloc(bytes, 64);
            NativeMemory.Clear(p, bytes);
            return p;
        }
        nuint size = RoundUp(bytes);
        // Over-map by one huge page, then trim both ends so the kept range starts on a 2 MiB boundary.
        nint raw = Mmap(0, size + HugePageBytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (raw == MapFailed)
            throw new OutOfMemoryException($"mmap of {size + HugePageBytes} bytes failed (errno {Marshal.GetLastPInvokeError()})");
        nuint start = ((nuint)raw + HugePageBytes - 1) & ~(HugePageBytes - 1);
        nuint head = start - (nuint)raw;
        nuint tail = HugePageBytes - head;
        if (head > 0)
            Munmap(raw, head);
        if (tail > 0)
            Munmap((nint)(start + size), tail);
        Madvise((nint)start, size, MadvHugePage); // best effort: small pages if refused
        return (void*)start;
    }

    /// <summary>Releases memory from <see cref="Allocate"/>; <paramref name="bytes"/> is the size asked for there.</summary>
    public static void Free(void* p, nuint bytes)
    {
        if (p == null)
            return;
        if (!Enabled)
        {
            NativeMemory.AlignedFree(p);
            return;
        }
        Munmap((nint)p, RoundUp(bytes));
    }

    /// <summary>
    /// Asks for a read-only file mapping to be served from 2 MiB page-cache folios, PMD-mapped (one TLB entry per
    /// 2 MiB, as for <see cref="Allocate"/>). Linux builds such folios only when it reads the file in with the
    /// mapping advised MADV_HUGEPAGE (ext4 and xfs on 6.x kernels; measured in bench/results/hnsw.md), so the
    /// file's clean, unmapped cached pages are dropped first (POSIX_FADV_DONTNEED) and the first searches read it
    /// back from disk. Pages another mapping holds stay as they are. Returns why not, or null when both calls took.
    /// </summary>
    public static string? PreferHugePagesForFile(byte* mapping, nuint length, string path)
    {
        if (!OperatingSystem.IsLinux())
            return "not Linux";
        nuint start = (nuint)mapping & ~(nuint)(Environment.SystemPageSize - 1);
        if (Madvise((nint)start, length + ((nuint)mapping - start), MadvHugePage) != 0)
            return $"madvise(MADV_HUGEPAGE) refused (errno {Marshal.GetLastPInvokeError()})";
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        int rc = FileAdvise((int)file.DangerousGetHandle(), 0, 0, PosixFadvDontNeed);
        return rc == 0 ? null : $"posix_fadvise(DONTNEED) refused (error {rc})";
    }

    private static nuint RoundUp(nuint bytes) => (bytes + HugePageBytes - 1) & ~(HugePageBytes - 1);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint addr, nuint length);

    // posix_fadvise returns the error number itself (it does not set errno).
    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int FileAdvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint addr, nuint length, int advice);
}
