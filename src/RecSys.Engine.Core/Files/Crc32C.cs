using System.Buffers.Binary;
using System.Numerics;

namespace RecSys.Engine.Core.Files;

/// <summary>
/// CRC-32C (Castagnoli), the checksum append-only logs put on each record so that a record torn by a crash or damaged
/// later is told apart from a good one. <see cref="BitOperations.Crc32C(uint, ulong)"/> is the SSE 4.2 / ARMv8 CRC
/// instruction where the CPU has it (a software table otherwise), so no hashing package is needed.
/// </summary>
public static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/> (initial value and final xor 0xFFFFFFFF, as iSCSI and ext4 use it).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }
        foreach (byte b in data)
            crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
