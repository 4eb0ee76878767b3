using System.Runtime.InteropServices;
using System.Security.Cryptography;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Synthetic;

namespace RecSys.Engine.Core.Tests.Vectors.Synthetic;

/// <summary>
/// The published checks of datasets/SYNTHETIC.md (seed 42). Values are compared as float bits:
/// the recipe is meant to be reproduced to the bit, so "close" is a failure.
/// </summary>
public class SyntheticVectorGeneratorTests
{
    private const ulong Seed = 42;

    private static float[] First(SyntheticVectorStream stream, int count)
    {
        var rows = new float[count * stream.Dimension];
        stream.Fill(rows);
        return rows;
    }

    private static void AssertBits(float expected, float actual, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
            $"{what}: expected {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), got {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");

    [Fact]
    public void SplitMix64_FirstDrawsOfSeedZero_MatchReference()
    {
        // Reference values of SplitMix64 from state 0 (Vigna's splitmix64.c).
        var rng = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.Next());
        Assert.Equal(0x06C45D188009454FUL, rng.Next());
    }

    [Fact]
    public void SplitMix64_Skip_EqualsDrawing()
    {
        var a = new SplitMix64(12345);
        var b = new SplitMix64(12345);
        for (int i = 0; i < 1001; i++)
            a.Next();
        b.Skip(1001);
        Assert.Equal(a.Next(), b.Next());
    }

    [Fact]
    public void Dim128_SpotValues_MatchRecipe()
    {
        var gen = new SyntheticVectorGenerator(128, Seed);
        float[] b = First(gen.CreateBaseStream(), 2);
        AssertBits(1.56244898f, b[0], "base[0][0]");
        AssertBits(-0.784332395f, b[1], "base[0][1]");
        AssertBits(-1.52082837f, b[2], "base[0][2]");
        AssertBits(0.902093589f, b[3], "base[0][3]");
        AssertBits(1.1204381f, b[127], "base[0][127]");
        AssertBits(-2.02127934f, b[128], "base[1][0]");
        AssertBits(0.853950977f, b[129], "base[1][1]");

        float[] q = First(gen.CreateQueryStream(), 1);
        AssertBits(-1.75376904f, q[0], "query[0][0]");
        AssertBits(-0.300766677f, q[1], "query[0][1]");
        AssertBits(-0.845045388f, q[2], "query[0][2]");
        AssertBits(0.247822776f, q[3], "query[0][3]");
    }

    [Fact]
    public void Dim96_SpotValues_MatchRecipe()
    {
        var gen = new SyntheticVectorGenerator(96, Seed);
        float[] b = First(gen.CreateBaseStream(), 1);
        AssertBits(-1.17720985f, b[0], "base[0][0]");
        AssertBits(-1.28443253f, b[1], "base[0][1]");
        AssertBits(-1.81988835f, b[2], "base[0][2]");
        AssertBits(-0.489945889f, b[3], "base[0][3]");

        float[] q = First(gen.CreateQueryStream(), 1);
        AssertBits(-1.33769655f, q[0], "query[0][0]");
        AssertBits(1.0700624f, q[1], "query[0][1]");
        AssertBits(0.336072892f, q[2], "query[0][2]");
        AssertBits(-0.626179636f, q[3], "query[0][3]");
    }

    [Fact]
    public void StreamStartedMidway_EqualsSequentialStream()
    {
        var gen = new SyntheticVectorGenerator(7, Seed);
        float[] all = First(gen.CreateBaseStream(), 10);
        float[] tail = First(gen.CreateBaseStream(startIndex: 6), 4);
        Assert.Equal(all.AsSpan(6 * 7).ToArray(), tail);
    }

    [Fact]
    public void GenerateBase_ParallelChunks_EqualSequentialStream()
    {
        // 10,000 rows span three parallel chunks, so the skip-ahead at chunk starts is exercised.
        var gen = new SyntheticVectorGenerator(5, Seed);
        float[] parallel = gen.GenerateBase(10_000);
        float[] sequential = First(gen.CreateBaseStream(), 10_000);
        Assert.Equal(sequential, parallel);
        Assert.Equal(First(gen.CreateQueryStream(), 9), gen.GenerateQueries(9));
    }

    [Fact]
    public void Normalize_FollowsRecipe()
    {
        float[] x = [3f, 4f, 0f];
        SyntheticVectorGenerator.Normalize(x);
        Assert.Equal([0.6f, 0.8f, 0f], x);

        float[] zero = [0f, 0f];
        SyntheticVectorGenerator.Normalize(zero);
        Assert.Equal([0f, 0f], zero);
    }

    [Theory]
    [InlineData(true, "16d6b878967cb8c1638eee6aa52863289fbe15017e6f6f460098c3e599a6d0cf")]
    [InlineData(false, "38903cb62e3b2923e6e5cdacf2803f025e02c7b2b4dc7189a0f1fdb61d36f299")]
    public void Dim128_100k_Fvecs_Sha256_MatchesRecipe(bool isBase, string expected)
    {
        const int dim = 128;
        var gen = new SyntheticVectorGenerator(dim, Seed);
        float[] rows = isBase ? gen.GenerateBase(100_000) : gen.GenerateQueries(1000);
        Assert.Equal(expected, FvecsSha256(rows, dim));
    }

    [Fact]
    public void Dim128_100k_CosineTop5OfQuery0_MatchesRecipe()
    {
        const int dim = 128;
        var gen = new SyntheticVectorGenerator(dim, Seed);
        float[] b = gen.GenerateBase(100_000);
        float[] q = gen.GenerateQueries(1);
        int[] top = GroundTruth.Compute(b, 100_000, q, 1, dim, DistanceMetric.Cosine, 5);
        Assert.Equal([53399, 52403, 78278, 42995, 24364], top);
    }

    /// <summary>SHA-256 of the TEXMEX .fvecs bytes (little-endian int32 dim, then dim float32 per row).</summary>
    internal static string FvecsSha256(float[] rows, int dim)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var header = new byte[4];
        var row = new byte[dim * 4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header, dim);
        for (int r = 0; r < rows.Length / dim; r++)
        {
            for (int j = 0; j < dim; j++)
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(4 * j), rows[r * dim + j]);
            hash.AppendData(header);
            hash.AppendData(row);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
