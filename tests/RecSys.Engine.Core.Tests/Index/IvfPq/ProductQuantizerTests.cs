using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.IvfPq;

public class ProductQuantizerTests
{
    private const int Dim = 32;
    private const int M = 8;

    private static readonly Lazy<(ProductQuantizer Pq, float[] Data)> Trained = new(() =>
    {
        var data = VectorTestData.ClusteredRows(11, 6000, Dim, centres: 64);
        var pq = new ProductQuantizer(Dim, M);
        pq.Train(data, new KMeansOptions { Iterations = 10 });
        return (pq, data);
    });

    [Fact]
    public void Reconstruction_error_is_well_below_the_data_variance()
    {
        var (pq, data) = Trained.Value;
        int n = data.Length / Dim;
        var mean = new double[Dim];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < Dim; t++)
                mean[t] += data[i * Dim + t] / n;
        double variance = 0, error = 0;
        var code = new byte[M];
        var decoded = new float[Dim];
        for (int i = 0; i < n; i++)
        {
            var x = data.AsSpan(i * Dim, Dim);
            for (int t = 0; t < Dim; t++)
                variance += (x[t] - mean[t]) * (x[t] - mean[t]) / n;
            pq.Encode(x, code);
            pq.Decode(code, decoded);
            error += SquaredL2.Reference(x, decoded) / n;
        }
        // Measured 0.0426 x the variance on all three SIMD settings.
        Assert.True(error < 0.05 * variance, $"reconstruction error {error:F3} vs variance {variance:F3}: {error / variance:F4} of it (measured 0.0426)");
    }

    [Fact]
    public void Encode_picks_the_nearest_centroid_of_every_subspace()
    {
        var (pq, data) = Trained.Value;
        var code = new byte[M];
        int dsub = Dim / M;
        for (int i = 0; i < 50; i++)
        {
            var x = data.AsSpan(i * Dim, Dim);
            pq.Encode(x, code);
            for (int j = 0; j < M; j++)
            {
                var sub = x.Slice(j * dsub, dsub);
                double chosen = SquaredL2.Reference(sub, pq.Centroids.Slice((j * 256 + code[j]) * dsub, dsub));
                for (int c = 0; c < 256; c++)
                    Assert.True(chosen <= SquaredL2.Reference(sub, pq.Centroids.Slice((j * 256 + c) * dsub, dsub)) + 1e-5);
            }
        }
    }

    [Fact]
    public void Adc_distance_equals_the_distance_to_the_decoded_vector()
    {
        var (pq, data) = Trained.Value;
        var rng = new Random(2);
        var table = new float[pq.TableLength];
        var ipTable = new float[pq.TableLength];
        var code = new byte[M];
        var decoded = new float[Dim];
        for (int q = 0; q < 20; q++)
        {
            var query = VectorTestData.RandomVector(rng, Dim, 3f);
            pq.ComputeL2Table(query, table);
            pq.ComputeNegatedDotTable(query, ipTable);
            for (int i = 0; i < 50; i++)
            {
                pq.Encode(data.AsSpan((q * 50 + i) * Dim, Dim), code);
                pq.Decode(code, decoded);
                double adc = 0, adcIp = 0;
                for (int j = 0; j < M; j++)
                {
                    adc += table[j * 256 + code[j]];
                    adcIp += ipTable[j * 256 + code[j]];
                }
                double exact = SquaredL2.Reference(query, decoded);
                Assert.True(Math.Abs(adc - exact) <= 1e-4 * (1 + exact), $"ADC {adc} vs |q - decode|^2 {exact}");
                double exactIp = -DotProduct.Reference(query, decoded);
                Assert.True(Math.Abs(adcIp - exactIp) <= 1e-4 * (1 + Math.Abs(exactIp)), $"IP ADC {adcIp} vs {exactIp}");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(33)]
    public unsafe void Scan_kernels_agree_with_the_scalar_reference_for_every_length(int m)
    {
        var rng = new Random(m);
        var table = new float[m * 256];
        for (int i = 0; i < table.Length; i++)
            table[i] = (float)rng.NextDouble() * 4;
        foreach (int count in new[] { 0, 1, 2, 3, 4, 5, 9, 31, 256 })
        {
            var codes = new byte[count * m + 8];
            rng.NextBytes(codes);
            var scalar = new float[count + 1];
            var gather = new float[count + 1];
            fixed (byte* c = codes)
            fixed (float* t = table)
            fixed (float* s = scalar)
            fixed (float* g = gather)
            {
                AdcScan.DistancesScalar(c, count, m, t, 0.25f, s);
                AdcScan.Distances(AdcKernel.Avx2Gather, c, count, m, t, 0.25f, g); // falls back to scalar without AVX2
                for (int i = 0; i < count; i++)
                {
                    double reference = 0.25;
                    for (int j = 0; j < m; j++)
                        reference += table[j * 256 + codes[i * m + j]];
                    Assert.True(Math.Abs(scalar[i] - reference) <= 1e-4 * reference, $"m={m} count={count} scalar[{i}] {scalar[i]} vs {reference}");
                    Assert.True(Math.Abs(gather[i] - reference) <= 1e-4 * reference, $"m={m} count={count} gather[{i}] {gather[i]} vs {reference}");
                }
            }
        }
    }

    [Fact]
    public void Rejects_a_dimension_that_m_does_not_divide()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProductQuantizer(30, 8));
        Assert.Contains("not a multiple of m = 8", ex.Message);
    }
}
