using System.Runtime.Intrinsics.X86;
using RecSys.Engine.Core.Index.IvfPq;

namespace RecSys.Engine.Core.Tests.Index.IvfPq;

/// <summary>The 4-bit fast-scan kernels against the plain sum of table bytes over unpacked codes.</summary>
public unsafe class FastScan4Tests
{
    private static (byte[] Codes, byte[] Blocks, byte[] Lut, ushort[] Expected) Case(int seed, int count, int m, bool maxTable = false)
    {
        var rng = new Random(seed);
        var codes = new byte[count * m];
        for (int i = 0; i < codes.Length; i++)
            codes[i] = (byte)rng.Next(16);
        var lut = new byte[m * 16];
        for (int i = 0; i < lut.Length; i++)
            lut[i] = maxTable ? (byte)255 : (byte)rng.Next(256);
        int blocks = (count + 31) / 32;
        var packed = new byte[blocks * FastScan4.BlockBytes(m)];
        FastScan4.Pack(codes, count, m, packed);
        var expected = new ushort[blocks * 32];
        for (int v = 0; v < blocks * 32; v++)
        {
            int sum = 0;
            for (int j = 0; j < m; j++)
                sum += lut[j * 16 + (v < count ? codes[v * m + j] : 0)];
            expected[v] = (ushort)sum;
        }
        return (codes, packed, lut, expected);
    }

    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int m in new[] { 1, 2, 3, 7, 8, 16, 24, 33, 48, 64 })
        {
            foreach (int count in new[] { 1, 16, 31, 32, 33, 100 })
                data.Add(m, count);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_kernel_equals_the_sum_of_table_bytes(int m, int count)
    {
        var (_, blocks, lut, expected) = Case(m * 1000 + count, count, m);
        int nBlocks = expected.Length / 32;
        var names = new List<string> { "scalar", "dispatch" };
        if (Avx2.IsSupported)
            names.Add("avx2");
        if (Ssse3.IsSupported)
            names.Add("ssse3");
        foreach (string name in names)
        {
            var got = new ushort[expected.Length];
            fixed (byte* b = blocks)
            fixed (byte* l = lut)
            fixed (ushort* g = got)
            {
                switch (name)
                {
                    case "scalar": FastScan4.ScanScalar(b, nBlocks, m, l, g); break;
                    case "dispatch": FastScan4.Scan(b, nBlocks, m, l, g); break;
                    case "avx2": FastScan4.ScanAvx2(b, nBlocks, m, l, g); break;
                    default: FastScan4.ScanSsse3(b, nBlocks, m, l, g); break;
                }
            }
            Assert.True(expected.AsSpan().SequenceEqual(got), $"{name}, m {m}, count {count}");
        }
    }

    [Fact]
    public void Largest_sums_do_not_wrap()
    {
        var (_, blocks, lut, expected) = Case(1, 64, 64, maxTable: true);
        Assert.All(expected, e => Assert.Equal(64 * 255, e));
        var got = new ushort[expected.Length];
        fixed (byte* b = blocks)
        fixed (byte* l = lut)
        fixed (ushort* g = got)
            FastScan4.Scan(b, 2, 64, l, g);
        Assert.Equal(expected, got);
    }

    [Fact]
    public void Quantized_table_sums_approximate_the_float_sums_within_half_a_step_per_subquantizer()
    {
        const int M = 24;
        var rng = new Random(9);
        var table = new float[M * 16];
        for (int i = 0; i < table.Length; i++)
            table[i] = rng.NextSingle() * (1 + i % 5);
        var lut = new byte[M * 16];
        FastScan4.QuantizeTable(table, M, lut, out float bias, out float scale);
        for (int trial = 0; trial < 200; trial++)
        {
            float exact = 0;
            int sum = 0;
            for (int j = 0; j < M; j++)
            {
                int c = rng.Next(16);
                exact += table[j * 16 + c];
                sum += lut[j * 16 + c];
            }
            float approx = bias + sum / scale;
            Assert.True(MathF.Abs(approx - exact) <= M * 0.5f / scale + 1e-4f, $"{approx} vs {exact}");
        }
    }

    [Fact]
    public void Codes_over_four_bits_are_rejected()
    {
        var blocks = new byte[FastScan4.BlockBytes(2)];
        Assert.Throws<ArgumentException>(() => FastScan4.Pack(new byte[] { 3, 16 }, 1, 2, blocks));
    }
}
