using System.CommandLine;
using System.Text.Json;
using RecSys.Engine.Cli;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Core.Vectors.Synthetic;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

public sealed class GenCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recsys-gen-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Stdout, string Stderr) Run(params string[] args) => CommandRun.Run(GenCommand.Create(), args);

    [Theory]
    [InlineData("--metric", "manhattan")]
    [InlineData("--n", "0")]
    [InlineData("--dim", "0")]
    [InlineData("--dim", "65537")]
    [InlineData("--queries", "0")]
    public void BadOption_ExitsTwo_AndNamesTheOption(string option, string value)
    {
        var args = new Dictionary<string, string> { ["--n"] = "10", ["--dim"] = "4", ["--queries"] = "2", ["--metric"] = "l2" };
        args[option] = value;
        string outDir = Path.Combine(_dir, "never");
        var (code, _, stderr) = Run(["gen", "vectors", .. args.SelectMany(p => new[] { p.Key, p.Value }), "--out", outDir]);
        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains(option, stderr);
        Assert.False(Directory.Exists(outDir), "validation must happen before anything is written");
    }

    [Fact]
    public void Vectors_WritesRecipeVectorsGroundTruthAndMeta()
    {
        string outDir = Path.Combine(_dir, "nested", "syn");
        var (code, _, stderr) = Run("gen", "vectors", "--n", "50", "--dim", "6", "--queries", "3", "--seed", "9", "--metric", "l2", "--out", outDir);
        Assert.True(code == 0, stderr);

        var gen = new SyntheticVectorGenerator(6, 9);
        float[] b = TexmexFiles.ReadFvecs(Path.Combine(outDir, "base.fvecs"), out int n, out int dim);
        float[] q = TexmexFiles.ReadFvecs(Path.Combine(outDir, "query.fvecs"), out int nq, out _);
        Assert.Equal((50, 6, 3), (n, dim, nq));
        Assert.Equal(gen.GenerateBase(50), b);
        Assert.Equal(gen.GenerateQueries(3), q);

        // k = min(100, n) neighbours per query.
        int[] gt = TexmexFiles.ReadIvecs(Path.Combine(outDir, "groundtruth.ivecs"), out int gtRows, out int k);
        Assert.Equal((3, 50), (gtRows, k));
        Assert.Equal(GroundTruth.Compute(b, 50, q, 3, 6, RecSys.Engine.Core.Vectors.DistanceMetric.L2, 50), gt);

        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "meta.json")));
        JsonElement m = meta.RootElement;
        Assert.Equal("synthetic", m.GetProperty("source").GetString());
        Assert.Equal(50, m.GetProperty("n").GetInt32());
        Assert.Equal(6, m.GetProperty("dim").GetInt32());
        Assert.Equal(3, m.GetProperty("queries").GetInt32());
        Assert.Equal(9UL, m.GetProperty("seed").GetUInt64());
        Assert.Equal("l2", m.GetProperty("metric").GetString());
    }

    [Fact]
    public void Vectors_Cosine_KeepsRawVectorsInFiles()
    {
        string outDir = Path.Combine(_dir, "cos");
        var (code, _, stderr) = Run("gen", "vectors", "--n", "20", "--dim", "5", "--queries", "2", "--out", outDir);
        Assert.True(code == 0, stderr);
        float[] b = TexmexFiles.ReadFvecs(Path.Combine(outDir, "base.fvecs"), out _, out _);
        Assert.Equal(new SyntheticVectorGenerator(5, 42).GenerateBase(20), b);
        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "meta.json")));
        Assert.Equal("cosine", meta.RootElement.GetProperty("metric").GetString());
        Assert.Equal(42UL, meta.RootElement.GetProperty("seed").GetUInt64());
    }

    [Fact]
    public void Mnist_MissingDirectory_ExitsTwo()
    {
        var (code, _, stderr) = Run("gen", "mnist", "--mnist-dir", Path.Combine(_dir, "nope"), "--out", Path.Combine(_dir, "m"));
        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains("--mnist-dir", stderr);
    }

    [Fact]
    public void Mnist_SplitsT10k_AndGroundTruthMatchesScalarBruteForce()
    {
        string mnistDir = Datasets.Mnist();
        string outDir = Path.Combine(_dir, "mnist");
        var (code, _, stderr) = Run("gen", "mnist", "--mnist-dir", mnistDir, "--out", outDir);
        Assert.True(code == 0, stderr);

        float[] b = TexmexFiles.ReadFvecs(Path.Combine(outDir, "base.fvecs"), out int n, out int dim);
        float[] q = TexmexFiles.ReadFvecs(Path.Combine(outDir, "query.fvecs"), out int nq, out int qdim);
        Assert.Equal((9000, 784, 1000, 784), (n, dim, nq, qdim));
        Assert.All(b, v => Assert.True(v >= 0 && v <= 255 && v == MathF.Floor(v), $"pixel {v}"));
        Assert.All(q, v => Assert.True(v >= 0 && v <= 255 && v == MathF.Floor(v), $"pixel {v}"));
        Assert.Contains(b, v => v == 255);

        // Base = images 0..8999, queries = images 9000..9999, in file order.
        float[] images = MnistIdx.ReadAll(Path.Combine(mnistDir, GenCommand.MnistImagesFile), out int count, out _);
        Assert.Equal(10_000, count);
        Assert.Equal(images.AsSpan(0, 784).ToArray(), b.AsSpan(0, 784).ToArray());
        Assert.Equal(images.AsSpan(9000 * 784, 784).ToArray(), q.AsSpan(0, 784).ToArray());

        int[] gt = TexmexFiles.ReadIvecs(Path.Combine(outDir, "groundtruth.ivecs"), out int gtRows, out int k);
        Assert.Equal((1000, 100), (gtRows, k));

        // Plain squared L2 in integers (exact for pixels), ties to the smaller id.
        var scored = new (long Distance, int Id)[n];
        for (int i = 0; i < n; i++)
        {
            long d = 0;
            for (int j = 0; j < dim; j++)
            {
                long diff = (long)q[j] - (long)b[i * dim + j];
                d += diff * diff;
            }
            scored[i] = (d, i);
        }
        Array.Sort(scored);
        Assert.Equal(scored.Take(100).Select(s => s.Id).ToArray(), gt.AsSpan(0, 100).ToArray());

        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "meta.json")));
        Assert.Equal("mnist", meta.RootElement.GetProperty("source").GetString());
        Assert.Equal("l2", meta.RootElement.GetProperty("metric").GetString());
        Assert.Equal(9000, meta.RootElement.GetProperty("n").GetInt32());
    }
}
