using System.Runtime.InteropServices;

namespace RecSys.Engine.Native;

/// <summary>
/// Best-effort memory hints for vector arenas and mapped index files: madvise, mlock, munlock.
/// </summary>
/// <remarks>
/// Every call is optional for correctness, so none of them throws when the platform or the kernel
/// says no (not Linux, libc missing, errno set): it returns <see cref="NativeCallResult.Applied"/>
/// = false with a reason naming the errno, and passes that reason to <see cref="Log"/>.
/// The address is aligned down to the page size (<see cref="Environment.SystemPageSize"/>) and the
/// length extended by the same amount, because madvise rejects unaligned addresses with EINVAL and
/// callers usually hold a pointer into the middle of a page.
/// </remarks>
public static class MemoryHints
{
    // Linux errno values (asm-generic/errno-base.h); the same on x64 and arm64.
    private const int EPERM = 1;
    private const int EIO = 5;
    private const int EBADF = 9;
    private const int EAGAIN = 11;
    private const int ENOMEM = 12;
    private const int EACCES = 13;
    private const int EFAULT = 14;
    private const int EINVAL = 22;
    private const int ENOSYS = 38;

    /// <summary>Receives the reason whenever a call is a no-op (e.g. <c>Console.Error.WriteLine</c>); null for silence.</summary>
    public static Action<string>? Log { get; set; }

    /// <summary>madvise(2) over the pages covering [<paramref name="address"/>, address + <paramref name="length"/>).</summary>
    public static unsafe NativeCallResult Advise(void* address, nuint length, MemoryAdvice advice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return NoOp("madvise", "not Linux");
        }

        (nuint start, nuint span) = PageAlign(address, length);
        try
        {
            return LibC.Madvise((void*)start, span, (int)advice) == 0
                ? NativeCallResult.Ok
                : Failed($"madvise({advice})", Marshal.GetLastPInvokeError());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return NoOp("madvise", $"unavailable: {e.Message}");
        }
    }

    /// <summary>mlock(2): pin the pages covering the range in RAM (needs RLIMIT_MEMLOCK or CAP_IPC_LOCK).</summary>
    public static unsafe NativeCallResult Lock(void* address, nuint length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return NoOp("mlock", "not Linux");
        }

        (nuint start, nuint span) = PageAlign(address, length);
        try
        {
            return LibC.Mlock((void*)start, span) == 0 ? NativeCallResult.Ok : Failed("mlock", Marshal.GetLastPInvokeError());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return NoOp("mlock", $"unavailable: {e.Message}");
        }
    }

    /// <summary>munlock(2): release pages pinned by <see cref="Lock"/>.</summary>
    public static unsafe NativeCallResult Unlock(void* address, nuint length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return NoOp("munlock", "not Linux");
        }

        (nuint start, nuint span) = PageAlign(address, length);
        try
        {
            return LibC.Munlock((void*)start, span) == 0 ? NativeCallResult.Ok : Failed("munlock", Marshal.GetLastPInvokeError());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return NoOp("munlock", $"unavailable: {e.Message}");
        }
    }

    private static unsafe (nuint Start, nuint Length) PageAlign(void* address, nuint length)
    {
        nuint pageMask = (nuint)Environment.SystemPageSize - 1;
        nuint start = (nuint)address & ~pageMask;
        return (start, length + ((nuint)address - start));
    }

    private static NativeCallResult Failed(string call, int errno)
    {
        string reason = errno switch
        {
            EINVAL => $"EINVAL: {call} rejected the arguments (advice unknown to this kernel, or a bad range)",
            ENOMEM when call.StartsWith("mlock", StringComparison.Ordinal) =>
                "ENOMEM: RLIMIT_MEMLOCK too low (or the range is not mapped)",
            ENOMEM => $"ENOMEM: {call}: the range is not fully mapped",
            EPERM => $"EPERM: {call} not permitted (no CAP_IPC_LOCK and RLIMIT_MEMLOCK is 0, or a locked/special mapping)",
            EAGAIN => $"EAGAIN: {call}: kernel resources temporarily unavailable",
            EACCES => $"EACCES: {call}: advice not allowed on this mapping",
            EBADF => $"EBADF: {call}: the mapping is not a file",
            EFAULT => $"EFAULT: {call}: bad address",
            EIO => $"EIO: {call}: I/O error while paging in",
            ENOSYS => $"ENOSYS: {call} is not implemented by this kernel",
            _ => $"errno {errno}: {call} failed",
        };
        return NoOp(call, reason, prefixCall: false);
    }

    private static NativeCallResult NoOp(string call, string reason, bool prefixCall = true)
    {
        string message = prefixCall ? $"{call}: {reason}" : reason;
        Log?.Invoke(message);
        return new NativeCallResult(false, message);
    }
}
