using System.Numerics;
using System.Runtime.CompilerServices;

namespace RecSys.Engine.Core.Index;

/// <summary>
/// Allow-list of ids 0 .. Length-1 as a bitset: one bit per id, one load and a shift per test.
/// Ids outside the range are not allowed.
/// </summary>
public sealed class AllowBitset : IdFilter
{
    private readonly ulong[] _words;

    public AllowBitset(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        _words = new ulong[(length + 63) >> 6];
    }

    public long Length { get; }

    public void Set(long id)
    {
        if ((ulong)id >= (ulong)Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"bitset covers ids 0..{Length - 1}");
        _words[id >> 6] |= 1UL << (int)(id & 63);
    }

    public void Clear(long id)
    {
        if ((ulong)id >= (ulong)Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"bitset covers ids 0..{Length - 1}");
        _words[id >> 6] &= ~(1UL << (int)(id & 63));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override bool Allows(long id) =>
        (ulong)id < (ulong)Length && (_words[id >> 6] & (1UL << (int)(id & 63))) != 0;

    /// <summary>How many ids are allowed (a planner input: few allowed ids favour an exact scan).</summary>
    public long CountAllowed()
    {
        long n = 0;
        foreach (ulong w in _words)
            n += BitOperations.PopCount(w);
        return n;
    }
}
