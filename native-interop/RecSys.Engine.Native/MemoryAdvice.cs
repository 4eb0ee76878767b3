namespace RecSys.Engine.Native;

/// <summary>
/// madvise(2) advice values. The numbers are Linux's MADV_* constants and are passed through unchanged.
/// </summary>
public enum MemoryAdvice
{
    /// <summary>MADV_NORMAL: default read-ahead.</summary>
    Normal = 0,

    /// <summary>MADV_RANDOM: no read-ahead; right for graph search over a mapped vector file.</summary>
    Random = 1,

    /// <summary>MADV_SEQUENTIAL: aggressive read-ahead, pages freed soon after; right for a full scan.</summary>
    Sequential = 2,

    /// <summary>MADV_WILLNEED: start reading the range in now.</summary>
    WillNeed = 3,

    /// <summary>MADV_DONTNEED: the range may be dropped (anonymous memory reads back as zeros).</summary>
    DontNeed = 4,

    /// <summary>MADV_HUGEPAGE: back the range with transparent huge pages where the kernel allows.</summary>
    HugePage = 14,
}
