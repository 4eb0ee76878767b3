using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Kernels;

/// <summary>
/// The split-query bfloat16 loop (the HNSW bf16 walk's key), for both operators on every rung of the ladder and every
/// length from 0 to 256 plus a few long ones: against a float64 reference on the widened row values, against the
/// widening loop it replaces on the walk, and on the cases its word layout could get wrong (the odd last element,
/// the overlapping tail, the pairing of low and high halves with the even and odd query elements).
/// </summary>
public class BFloat16SplitQueryKernelTests
{
    public enum Operator { Dot, SquaredL2 }

    public static TheoryData<Operator, SimdPath> Cases()
    {
        var data = new TheoryData<Operator, SimdPath>();
        foreach (var op in Enum.GetValues<Operator>())
            foreach (var path in Enum.GetValues<SimdPath>())
                data.Add(op, path);
        return data;
    }

    public static TheoryData<SimdPath> Paths() => [.. Enum.GetValues<SimdPath>()];

    private static (float[] Even, float[] Odd) Split(float[] query)
    {
        var even = new float[BFloat16SplitQueryKernel.EvenLength(query.Length)];
        var odd = new float[query.Length / 2];
        BFloat16SplitQueryKernel.Split(query, even, odd);
        return (even, odd);
    }

    private static float Run(Operator op, float[] query, ushort[] row, SimdPath path)
    {
        var (even, odd) = Split(query);
        return op == Operator.Dot
            ? BFloat16SplitQueryKernel.Run<DotOperator>(even, odd, row, path)
            : BFloat16SplitQueryKernel.Run<SquaredL2Operator>(even, odd, row, path);
    }

    private static ushort[] ToBits(float[] values)
    {
        var bits = new ushort[values.Length];
        BFloat16.FromSingle(values, bits);
        return bits;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_float64_reference_on_every_length(Operator op, SimdPath path)
    {
        var rng = new Random(100 * (int)op + (int)path);
        foreach (int n in PairwiseKernelTests.Lengths)
        {
            for (int trial = 0; trial < 3; trial++)
            {
                var query = VectorTestData.RandomVector(rng, n, 10f);
                var bits = ToBits(VectorTestData.RandomVector(rng, n, 10f));
                var row = bits.Select(BFloat16.ToSingle).ToArray();
                float actual = Run(op, query, bits, path);
                double expected = op == Operator.Dot ? DotProduct.Reference(query, row) : SquaredL2.Reference(query, row);
                double magnitude = 0;
                for (int i = 0; i < n; i++)
                    magnitude += op == Operator.Dot ? Math.Abs((double)query[i] * row[i]) : Math.Pow((double)query[i] - row[i], 2);
                Assert.True(Math.Abs(actual - expected) <= 1e-5 * magnitude + 1e-6,
                    $"{op} {path} n={n}: got {actual}, expected {expected} (|terms| {magnitude})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Each_element_meets_its_own_query_element_once(SimdPath path)
    {
        // One query element at a time set to a distinct power of two against a row of element indices: the dot is
        // exactly that index times the power, so a low half matched with an odd element (or the reverse), a word
        // counted twice by the tail, or a lost last element changes the result.
        foreach (int n in PairwiseKernelTests.Lengths.Where(n => n <= 300))
        {
            var row = ToBits(Enumerable.Range(0, n).Select(i => (float)(i % 200 + 1)).ToArray());
            for (int at = 0; at < n; at++)
            {
                var query = new float[n];
                query[at] = 4f;
                Assert.Equal(4f * (at % 200 + 1), Run(Operator.Dot, query, row, path));
            }
            var ones = Enumerable.Repeat(1f, n).ToArray();
            Assert.Equal(n, Run(Operator.Dot, ones, ToBits(ones), path));
            Assert.Equal(n, Run(Operator.SquaredL2, ones, ToBits(new float[n]), path));
            Assert.Equal(n, Run(Operator.SquaredL2, new float[n], ToBits(ones), path));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void An_infinity_in_a_lane_the_tail_re_reads_stays_infinite(SimdPath path)
    {
        // The tail zeroes counted words with a bit mask, not by multiplying with 0 (inf * 0 would be NaN).
        for (int n = 17; n <= 72; n++)
        {
            for (int at = 0; at < n; at++)
            {
                var query = Enumerable.Repeat(0.5f, n).ToArray();
                query[at] = float.PositiveInfinity;
                Assert.Equal(float.PositiveInfinity, Run(Operator.Dot, query, ToBits(Enumerable.Repeat(1f, n).ToArray()), path));
                Assert.Equal(float.PositiveInfinity, Run(Operator.SquaredL2, query, ToBits(new float[n]), path));
            }
        }
    }

    [Theory]
    [InlineData(Operator.Dot)]
    [InlineData(Operator.SquaredL2)]
    public void Auto_is_the_production_entry_point_and_the_widest_accelerated_rung(Operator op)
    {
        var widest = Vector512.IsHardwareAccelerated ? SimdPath.Vector512
            : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
            : Vector128.IsHardwareAccelerated ? SimdPath.Vector128
            : SimdPath.Scalar;
        var rng = new Random(7);
        foreach (int n in PairwiseKernelTests.Lengths)
        {
            var query = VectorTestData.RandomVector(rng, n, 10f);
            var bits = ToBits(VectorTestData.RandomVector(rng, n, 10f));
            var (even, odd) = Split(query);
            float auto = Run(op, query, bits, SimdPath.Auto);
            // Padded buffers: the production entry point reads no element past n (the extra slots hold NaN).
            var evenPadded = even.Concat(Enumerable.Repeat(float.NaN, 32)).ToArray();
            var oddPadded = odd.Concat(Enumerable.Repeat(float.NaN, 32)).ToArray();
            var bitsPadded = bits.Concat(Enumerable.Repeat((ushort)0x7FC0, 32)).ToArray();
            float production = op == Operator.Dot
                ? BFloat16SplitQueryKernel.Run<DotOperator>(ref evenPadded[0], ref oddPadded[0], ref bitsPadded[0], n)
                : BFloat16SplitQueryKernel.Run<SquaredL2Operator>(ref evenPadded[0], ref oddPadded[0], ref bitsPadded[0], n);
            Assert.Equal(auto, production);
            Assert.Equal(Run(op, query, bits, widest), auto);
            // The widening loop on the same values: the same sum up to float32 accumulation order.
            float widening = op == Operator.Dot
                ? BFloat16PairwiseKernel.Run<DotOperator>(ref MemoryMarshal.GetArrayDataReference(query), ref MemoryMarshal.GetArrayDataReference(bits), n)
                : BFloat16PairwiseKernel.Run<SquaredL2Operator>(ref MemoryMarshal.GetArrayDataReference(query), ref MemoryMarshal.GetArrayDataReference(bits), n);
            double magnitude = 0;
            for (int i = 0; i < n; i++)
                magnitude += op == Operator.Dot ? Math.Abs((double)query[i] * BFloat16.ToSingle(bits[i])) : Math.Pow((double)query[i] - BFloat16.ToSingle(bits[i]), 2);
            Assert.True(Math.Abs(auto - widening) <= 2e-5 * magnitude + 1e-6, $"{op} n={n}: split {auto}, widening {widening}");
        }
    }

    [Fact]
    public void Split_puts_even_elements_first_and_the_odd_last_element_in_the_even_half()
    {
        var (even, odd) = Split([1, 2, 3, 4, 5]);
        Assert.Equal([1f, 3f, 5f], even);
        Assert.Equal([2f, 4f], odd);
    }

    [Fact]
    public void Mismatched_lengths_are_refused_with_the_expected_sizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => BFloat16SplitQueryKernel.Run<DotOperator>(new float[4], new float[4], new ushort[7], SimdPath.Auto));
        Assert.Contains("4 even and 3 odd", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => BFloat16SplitQueryKernel.Split(new float[9], new float[4], new float[4]));
        Assert.Contains("5 even", ex.Message);
    }
}
