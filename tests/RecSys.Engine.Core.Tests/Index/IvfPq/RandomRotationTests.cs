using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.IvfPq;

public class RandomRotationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(96)]
    public void Is_orthogonal_and_preserves_distances(int dim)
    {
        var r = new RandomRotation(dim, 5);
        var m = r.Matrix;
        for (int i = 0; i < dim; i++)
        {
            for (int j = 0; j < dim; j++)
            {
                double dot = DotProduct.Reference(m.Slice(i * dim, dim), m.Slice(j * dim, dim));
                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-5, $"rows {i},{j}: {dot}");
            }
        }
        var rng = new Random(dim);
        var a = VectorTestData.RandomVector(rng, dim, 2f);
        var b = VectorTestData.RandomVector(rng, dim, 2f);
        var ra = new float[dim];
        var rb = new float[dim];
        var back = new float[dim];
        r.Apply(a, ra);
        r.Apply(b, rb);
        Assert.Equal(SquaredL2.Reference(a, b), SquaredL2.Reference(ra, rb), 1e-4);
        Assert.Equal(DotProduct.Reference(a, b), DotProduct.Reference(ra, rb), 1e-4);
        r.ApplyInverse(ra, back);
        for (int t = 0; t < dim; t++)
            Assert.Equal(a[t], back[t], 1e-4);
    }

    [Fact]
    public void Same_seed_same_matrix()
    {
        Assert.Equal(new RandomRotation(24, 3).Matrix.ToArray(), new RandomRotation(24, 3).Matrix.ToArray());
        Assert.NotEqual(new RandomRotation(24, 3).Matrix.ToArray(), new RandomRotation(24, 4).Matrix.ToArray());
    }
}
