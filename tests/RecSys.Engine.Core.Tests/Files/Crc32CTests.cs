using System.Text;
using RecSys.Engine.Core.Files;

namespace RecSys.Engine.Core.Tests.Files;

public sealed class Crc32CTests
{
    /// <summary>A plain bitwise CRC-32C (reflected polynomial 0x82F63B78): the reference the fast one is held against.</summary>
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void The_standard_check_value_and_the_empty_input()
    {
        // The catalogue check value of CRC-32C: "123456789" -> 0xE3069283 (RFC 3720, iSCSI).
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Every_length_from_0_to_40_agrees_with_the_bitwise_reference()
    {
        var data = new byte[40];
        new Random(7).NextBytes(data);
        for (int n = 0; n <= data.Length; n++)
            Assert.Equal(Reference(data.AsSpan(0, n)), Crc32C.Compute(data.AsSpan(0, n)));
    }
}
