using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Kernels;

/// <summary>
/// The one pairwise loop, for every row element type x operator x rung of the ladder, on every length from 0 to 256
/// and a few long ones, against a float64 scalar reference computed on the values the kernel sees (bf16 rows widened
/// exactly, so the kernel's only rounding is its float32 accumulation). Each rung is pinned through
/// <see cref="SimdPath"/>, so the Vector512 code runs on any CPU (emulated in software where AVX-512 is missing or
/// switched off); .ci/run re-runs these with AVX2 and all SIMD switched off so Auto takes the narrow rungs too.
/// </summary>
public class PairwiseKernelTests
{
    public enum ElementType { Float32, BFloat16 }

    public enum Operator { Dot, SquaredL2 }

    public static readonly int[] Lengths = [.. Enumerable.Range(0, 257), 300, 511, 768, 1000, 1031, 4099];

    public static TheoryData<ElementType, Operator, SimdPath> Cases()
    {
        var data = new TheoryData<ElementType, Operator, SimdPath>();
        foreach (var element in Enum.GetValues<ElementType>())
            foreach (var op in Enum.GetValues<Operator>())
                foreach (var path in Enum.GetValues<SimdPath>())
                    data.Add(element, op, path);
        return data;
    }

    public static TheoryData<ElementType, SimdPath> ElementsAndPaths()
    {
        var data = new TheoryData<ElementType, SimdPath>();
        foreach (var element in Enum.GetValues<ElementType>())
            foreach (var path in Enum.GetValues<SimdPath>())
                data.Add(element, path);
        return data;
    }

    /// <summary>A row as one element type stores it, and the float values that stands for.</summary>
    private sealed class Row
    {
        public Row(ElementType type, float[] values)
        {
            Type = type;
            if (type == ElementType.BFloat16)
            {
                Bits = new ushort[values.Length];
                BFloat16.FromSingle(values, Bits);
                values = Bits.Select(BFloat16.ToSingle).ToArray();
            }
            Values = values;
        }

        private Row(ElementType type, float[] values, ushort[] bits)
        {
            Type = type;
            Values = values;
            Bits = bits;
        }

        public ElementType Type { get; }
        public float[] Values { get; }
        public ushort[] Bits { get; } = [];

        /// <summary>Elements [start, start + length) as a row of their own (copied).</summary>
        public Row Slice(int start, int length) =>
            new(Type, Values.AsSpan(start, length).ToArray(), Type == ElementType.BFloat16 ? Bits.AsSpan(start, length).ToArray() : []);
    }

    private static float Run(Operator op, float[] query, Row row, SimdPath path) => (row.Type, op) switch
    {
        (ElementType.Float32, Operator.Dot) => PairwiseKernel.Run<Float32RowLoader, float, DotOperator>(query, row.Values, path),
        (ElementType.Float32, Operator.SquaredL2) => PairwiseKernel.Run<Float32RowLoader, float, SquaredL2Operator>(query, row.Values, path),
        (ElementType.BFloat16, Operator.Dot) => PairwiseKernel.Run<BFloat16RowLoader, ushort, DotOperator>(query, row.Bits, path),
        _ => PairwiseKernel.Run<BFloat16RowLoader, ushort, SquaredL2Operator>(query, row.Bits, path),
    };

    /// <summary>The production ladder (no pinned path), through the entry point the callers use.</summary>
    private static float RunLadder(Operator op, float[] query, Row row) => (row.Type, op) switch
    {
        (ElementType.Float32, Operator.Dot) => DotProduct.Compute(query, row.Values),
        (ElementType.Float32, Operator.SquaredL2) => SquaredL2.Compute(query, row.Values),
        (ElementType.BFloat16, Operator.Dot) => BFloat16PairwiseKernel.Run<DotOperator>(ref MemoryMarshal.GetArrayDataReference(query), ref MemoryMarshal.GetArrayDataReference(row.Bits), query.Length),
        _ => BFloat16PairwiseKernel.Run<SquaredL2Operator>(ref MemoryMarshal.GetArrayDataReference(query), ref MemoryMarshal.GetArrayDataReference(row.Bits), query.Length),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_float64_reference_on_every_length(ElementType element, Operator op, SimdPath path)
    {
        var rng = new Random(1000 * (int)element + 100 * (int)op + (int)path);
        foreach (int n in Lengths)
        {
            for (int trial = 0; trial < 3; trial++)
            {
                var query = VectorTestData.RandomVector(rng, n, 10f);
                var row = new Row(element, VectorTestData.RandomVector(rng, n, 10f));
                float actual = Run(op, query, row, path);
                double expected = op == Operator.Dot ? DotProduct.Reference(query, row.Values) : SquaredL2.Reference(query, row.Values);
                // The rounding error of a float sum grows with the sum of |terms|, not with the (cancelling) result.
                double magnitude = 0;
                for (int i = 0; i < n; i++)
                    magnitude += op == Operator.Dot ? Math.Abs((double)query[i] * row.Values[i]) : Math.Pow((double)query[i] - row.Values[i], 2);
                Assert.True(Math.Abs(actual - expected) <= 1e-5 * magnitude + 1e-6,
                    $"{element} {op} {path} n={n}: got {actual}, expected {expected} (|terms| {magnitude})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ElementsAndPaths))]
    public void The_overlapping_tail_counts_each_lane_once_and_masks_both_operands(ElementType element, SimdPath path)
    {
        // Integer results, exact in float32: a lane counted twice or missed changes them. Dot catches a tail that
        // masks neither operand; the two L2 directions catch one that masks only the query or only the row.
        foreach (int n in Lengths)
        {
            var ones = Enumerable.Repeat(1f, n).ToArray();
            var zeros = new float[n];
            Assert.Equal(n, Run(Operator.Dot, ones, new Row(element, ones), path));
            Assert.Equal(n, Run(Operator.SquaredL2, ones, new Row(element, zeros), path));
            Assert.Equal(n, Run(Operator.SquaredL2, zeros, new Row(element, ones), path));
        }
    }

    [Theory]
    [MemberData(nameof(ElementsAndPaths))]
    public void An_infinity_in_a_lane_the_tail_re_reads_stays_infinite(ElementType element, SimdPath path)
    {
        // The tail zeroes counted lanes with a bit mask, not by multiplying with 0 (inf * 0 would be NaN).
        for (int n = 17; n <= 40; n++)
        {
            for (int at = 0; at < n; at++)
            {
                var query = Enumerable.Repeat(0.5f, n).ToArray();
                query[at] = float.PositiveInfinity;
                Assert.Equal(float.PositiveInfinity, Run(Operator.Dot, query, new Row(element, Enumerable.Repeat(1f, n).ToArray()), path));
                Assert.Equal(float.PositiveInfinity, Run(Operator.SquaredL2, query, new Row(element, new float[n]), path));
            }
        }
    }

    [Theory]
    [InlineData(ElementType.Float32, Operator.Dot)]
    [InlineData(ElementType.Float32, Operator.SquaredL2)]
    [InlineData(ElementType.BFloat16, Operator.Dot)]
    [InlineData(ElementType.BFloat16, Operator.SquaredL2)]
    public void Auto_is_the_ladder_the_callers_run_and_picks_the_widest_accelerated_rung(ElementType element, Operator op)
    {
        var widest = Vector512.IsHardwareAccelerated ? SimdPath.Vector512
            : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
            : Vector128.IsHardwareAccelerated ? SimdPath.Vector128
            : SimdPath.Scalar;
        var rng = new Random(7);
        foreach (int n in Lengths)
        {
            var query = VectorTestData.RandomVector(rng, n, 10f);
            var row = new Row(element, VectorTestData.RandomVector(rng, n, 10f));
            float auto = Run(op, query, row, SimdPath.Auto);
            Assert.Equal(auto, RunLadder(op, query, row));
            Assert.Equal(Run(op, query, row, widest), auto);
        }
    }

    [Fact]
    public void The_public_pinned_entry_points_run_the_same_loop()
    {
        var rng = new Random(11);
        foreach (var path in Enum.GetValues<SimdPath>())
        {
            foreach (int n in new[] { 3, 17, 100, 768 })
            {
                var a = VectorTestData.RandomVector(rng, n);
                var b = VectorTestData.RandomVector(rng, n);
                var bits = new Row(ElementType.BFloat16, b).Bits;
                Assert.Equal(PairwiseKernel.Run<Float32RowLoader, float, DotOperator>(a, b, path), DotProduct.Compute(a, b, path));
                Assert.Equal(PairwiseKernel.Run<Float32RowLoader, float, SquaredL2Operator>(a, b, path), SquaredL2.Compute(a, b, path));
                Assert.Equal(PairwiseKernel.Run<BFloat16RowLoader, ushort, DotOperator>(a, bits, path), BFloat16PairwiseKernel.Run<DotOperator>(a, bits, path));
                Assert.Equal(PairwiseKernel.Run<BFloat16RowLoader, ushort, SquaredL2Operator>(a, bits, path), BFloat16PairwiseKernel.Run<SquaredL2Operator>(a, bits, path));
            }
        }
    }

    /// <summary>One query against a block of rows (the scan path), through the entry points the scans call.</summary>
    private static void RunMany(Operator op, float[] query, Row block, int stride, float[] results)
    {
        switch (block.Type, op)
        {
            case (ElementType.Float32, Operator.Dot): DotProduct.ComputeMany(query, block.Values, stride, results); break;
            case (ElementType.Float32, Operator.SquaredL2): SquaredL2.ComputeMany(query, block.Values, stride, results); break;
            case (ElementType.BFloat16, Operator.Dot): PairwiseKernel.RunMany<BFloat16RowLoader, ushort, DotOperator>(query, block.Bits, stride, results); break;
            default: PairwiseKernel.RunMany<BFloat16RowLoader, ushort, SquaredL2Operator>(query, block.Bits, stride, results); break;
        }
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(7, 16)]
    [InlineData(96, 96)]
    [InlineData(96, 112)]
    [InlineData(100, 112)]
    [InlineData(768, 768)]
    public void RunMany_equals_one_row_at_a_time(int dim, int stride)
    {
        const int Rows = 37;
        foreach (var element in Enum.GetValues<ElementType>())
        {
            var rng = new Random(dim);
            var block = new Row(element, VectorTestData.RandomVector(rng, (Rows - 1) * stride + dim));
            var query = VectorTestData.RandomVector(rng, dim);
            foreach (var op in Enum.GetValues<Operator>())
            {
                var results = new float[Rows];
                RunMany(op, query, block, stride, results);
                for (int r = 0; r < Rows; r++)
                    Assert.Equal(RunLadder(op, query, block.Slice(r * stride, dim)), results[r]);
            }
        }
    }

    [Fact]
    public void Lengths_must_match()
    {
        var ex = Assert.Throws<ArgumentException>(() => BFloat16PairwiseKernel.Run<DotOperator>(new float[8], new ushort[7], SimdPath.Auto));
        Assert.Contains("8", ex.Message);
        Assert.Throws<ArgumentException>(() => PairwiseKernel.Run<Float32RowLoader, float, SquaredL2Operator>(new float[3], new float[4], SimdPath.Vector128));
    }
}
