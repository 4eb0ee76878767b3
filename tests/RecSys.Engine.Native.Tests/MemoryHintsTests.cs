using System.Runtime.InteropServices;
using RecSys.Engine.Native;

namespace RecSys.Engine.Native.Tests;

/// <summary>
/// The only tests that set <see cref="MemoryHints.Log"/> (a static), and xunit runs one class's tests
/// one at a time, so the captured messages belong to these tests.
/// </summary>
public sealed unsafe class MemoryHintsTests : IDisposable
{
    private static readonly nuint PageSize = (nuint)Environment.SystemPageSize;
    private readonly void* _block = NativeMemory.AlignedAlloc(PageSize * 4, PageSize);
    private readonly List<string> _log = [];

    public MemoryHintsTests() => MemoryHints.Log = _log.Add;

    public void Dispose()
    {
        MemoryHints.Log = null;
        NativeMemory.AlignedFree(_block);
    }

    [Fact]
    public void WillNeed_OnAlignedBlock_IsApplied()
    {
        NativeCallResult result = MemoryHints.Advise(_block, PageSize * 4, MemoryAdvice.WillNeed);

        if (OperatingSystem.IsLinux())
        {
            Assert.True(result.Applied, result.Reason);
            Assert.Equal("ok", result.Reason);
            Assert.Empty(_log);
        }
        else
        {
            Assert.False(result.Applied);
            Assert.Contains("not Linux", result.Reason);
        }
    }

    [Fact]
    public void Advise_InsideAPage_IsAlignedDownAndApplied()
    {
        // madvise itself rejects an unaligned address with EINVAL; MemoryHints must align it first.
        NativeCallResult result = MemoryHints.Advise((byte*)_block + 100, PageSize, MemoryAdvice.Random);

        Assert.Equal(OperatingSystem.IsLinux(), result.Applied);
    }

    [Fact]
    public void UnknownAdvice_IsANoOpNamingEinval_AndIsLogged()
    {
        NativeCallResult result = MemoryHints.Advise(_block, PageSize, (MemoryAdvice)12345);

        Assert.False(result.Applied);
        Assert.Contains(OperatingSystem.IsLinux() ? "EINVAL" : "not Linux", result.Reason);
        Assert.Equal([result.Reason], _log);
    }

    [Fact]
    public void LockSmallBlock_AppliesOrExplainsWhy()
    {
        NativeCallResult locked = MemoryHints.Lock(_block, PageSize);

        if (locked.Applied)
        {
            Assert.Equal("ok", locked.Reason);
            NativeCallResult unlocked = MemoryHints.Unlock(_block, PageSize);
            Assert.True(unlocked.Applied, unlocked.Reason);
            Assert.Empty(_log);
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(locked.Reason));
            Assert.NotEqual("ok", locked.Reason);
            Assert.Equal([locked.Reason], _log);
        }
    }

    [Fact]
    public void NeverThrows_OnAnUnmappedRange()
    {
        // The lowest pages are never mapped (vm.mmap_min_addr): the kernel says ENOMEM, MemoryHints must not throw.
        NativeCallResult result = MemoryHints.Advise((void*)PageSize, PageSize, MemoryAdvice.WillNeed);

        Assert.False(result.Applied);
        Assert.Contains(OperatingSystem.IsLinux() ? "ENOMEM" : "not Linux", result.Reason);
    }
}
