using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Kernels;

public class BFloat16Tests
{
    [Theory]
    [InlineData(1.0f, (ushort)0x3F80)]
    [InlineData(-2.5f, (ushort)0xC020)]
    [InlineData(0.0f, (ushort)0x0000)]
    [InlineData(-0.0f, (ushort)0x8000)]
    [InlineData(float.PositiveInfinity, (ushort)0x7F80)]
    [InlineData(float.NegativeInfinity, (ushort)0xFF80)]
    public void Values_with_an_exact_bf16_form_keep_it(float value, ushort bits)
    {
        Assert.Equal(bits, BFloat16.FromSingle(value));
        Assert.Equal(value, BFloat16.ToSingle(bits));
    }

    [Theory]
    [InlineData(0x3F80_7FFFu, (ushort)0x3F80)] // below half: down
    [InlineData(0x3F80_8000u, (ushort)0x3F80)] // tie, even below: down
    [InlineData(0x3F81_8000u, (ushort)0x3F82)] // tie, odd below: up to even
    [InlineData(0x3F80_8001u, (ushort)0x3F81)] // above half: up
    [InlineData(0x3FFF_FFFFu, (ushort)0x4000)] // carries into the exponent
    [InlineData(0x7F7F_FFFFu, (ushort)0x7F80)] // float.MaxValue rounds to infinity, as IEEE says
    public void Rounds_to_nearest_with_ties_to_even(uint floatBits, ushort expected) =>
        Assert.Equal(expected, BFloat16.FromSingle(BitConverter.UInt32BitsToSingle(floatBits)));

    [Fact]
    public void NaN_stays_NaN_even_when_only_low_payload_bits_are_set()
    {
        float lowPayloadNaN = BitConverter.UInt32BitsToSingle(0x7F80_0001);
        Assert.True(float.IsNaN(lowPayloadNaN));
        Assert.True(float.IsNaN(BFloat16.ToSingle(BFloat16.FromSingle(lowPayloadNaN))));
        Assert.True(float.IsNaN(BFloat16.ToSingle(BFloat16.FromSingle(float.NaN))));
    }

    [Fact]
    public void Relative_error_is_at_most_two_to_the_minus_eight()
    {
        var rng = new Random(5);
        for (int i = 0; i < 100_000; i++)
        {
            float v = (float)((rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-20, 20)));
            if (v == 0)
                continue;
            float back = BFloat16.ToSingle(BFloat16.FromSingle(v));
            Assert.True(Math.Abs(back - v) <= Math.Abs(v) / 256, $"{v} -> {back}");
        }
    }

    [Fact]
    public void Span_conversion_matches_the_scalar_one_and_rejects_a_short_destination()
    {
        var source = VectorTestData.RandomVector(new Random(3), 37, 4f);
        var dst = new ushort[37];
        BFloat16.FromSingle(source, dst);
        for (int i = 0; i < source.Length; i++)
            Assert.Equal(BFloat16.FromSingle(source[i]), dst[i]);
        var ex = Assert.Throws<ArgumentException>(() => BFloat16.FromSingle(source, new ushort[36]));
        Assert.Contains("36", ex.Message);
    }
}
