using RecSys.Engine.Models.Als;

namespace RecSys.Engine.Models.Tests.Als;

public class AlsGramTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(7, 300)]
    [InlineData(33, 1000)]
    [InlineData(96, 2500)]
    public void Gram_is_bit_for_bit_the_scalar_reference(int k, int rows)
    {
        // Factors of mixed sign and size, with exact zeros (the skipped terms), on every SIMD rung CI runs.
        var rng = new Random(k * 1000 + rows);
        var src = new float[rows * k];
        for (int i = 0; i < src.Length; i++)
            src[i] = rng.Next(10) == 0 ? 0f : (float)(rng.NextDouble() * 2 - 1) * (rng.Next(3) == 0 ? 100f : 0.01f);
        float[] expected = AlsKernels.GramReference(src, rows, k, 0.5f);
        float[] actual = AlsKernels.Gram(src, rows, k, 0.5f);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"entry {i}: {actual[i]:R} against {expected[i]:R}");
    }
}
