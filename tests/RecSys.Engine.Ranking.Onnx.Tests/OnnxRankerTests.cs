using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Ranking.Onnx.Tests;

/// <summary>Real .onnx files through the real ONNX Runtime (no mocks).</summary>
public sealed class OnnxRankerTests : IDisposable
{
    private static readonly RankingFeatureSchema Schema = RankingFeatureSchema.Create(["action", "comedy", "drama"]);
    private static readonly OnnxRankerOptions Cpu = new() { ExecutionProvider = OnnxExecutionProvider.Cpu, MaxCandidates = 600, ConcurrentCalls = 2 };
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static MlpRanker RandomMlp(RankingFeatureSchema schema, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var mean = new float[schema.Count];
        var inv = new float[schema.Count];
        for (int k = 0; k < schema.Count; k++)
        {
            mean[k] = (float)rng.NextGaussian();
            inv[k] = k % 7 == 3 ? 0f : (float)(0.5 + Math.Abs(rng.NextGaussian())); // a few constant features
        }
        var model = new MlpRanker(schema, [64, 32], mean, inv, seed: seed);
        for (int i = 0; i < model.Parameters.Length; i++)
            model.Parameters[i] += 0.05f * (float)rng.NextGaussian(); // non-zero biases too
        return model;
    }

    private static float[] RandomRows(int n, int f, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var rows = new float[n * f];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = (float)(3 * rng.NextGaussian());
        return rows;
    }

    private string Export(MlpRanker model, string name = "mlp.onnx")
    {
        string path = _dir.File(name);
        MlpOnnxExporter.Save(model, path);
        return path;
    }

    [Fact]
    public void OnnxRuntimeScores_EqualTheCSharpForwardPass_Within1e5()
    {
        MlpRanker model = RandomMlp(Schema, 21);
        using var ranker = OnnxRanker.Load(Export(model), Cpu, Schema);
        var scratch = new MlpScratch(model);
        foreach (int n in new[] { 1, 2, 7, 64, 500, 600 })
        {
            float[] rows = RandomRows(n, Schema.Count, (ulong)n);
            var expected = new float[n];
            var actual = new float[n];
            model.Score(rows, n, expected, scratch);
            ranker.Score(rows, n, actual);
            for (int c = 0; c < n; c++)
                Assert.True(Math.Abs(expected[c] - actual[c]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[c])), $"n={n} candidate {c}: C# {expected[c]} vs ONNX {actual[c]}");
            if (n > 1)
                Assert.Contains(expected, s => s != expected[0]); // not a degenerate model
        }
    }

    [Fact]
    public void TwoIntraOpThreads_ScoreTheSameRowsAsOne_Within1e5()
    {
        string path = Export(RandomMlp(Schema, 31));
        var log = new List<string>();
        using var one = OnnxRanker.Load(path, Cpu with { IntraOpThreads = 1 }, Schema);
        using var two = OnnxRanker.Load(path, Cpu with { IntraOpThreads = 2, Log = log.Add }, Schema);
        Assert.Contains(log, line => line.Contains("2 intra-op thread(s)", StringComparison.Ordinal));
        // 600 rows: the full buffer, large enough for ONNX Runtime to split the matrix products between the threads.
        foreach (int n in new[] { 1, 7, 600 })
        {
            float[] rows = RandomRows(n, Schema.Count, 100 + (ulong)n);
            var single = new float[n];
            var parallel = new float[n];
            one.Score(rows, n, single);
            two.Score(rows, n, parallel);
            for (int c = 0; c < n; c++)
                Assert.True(Math.Abs(single[c] - parallel[c]) <= 1e-5f * Math.Max(1f, Math.Abs(single[c])), $"n={n} candidate {c}: 1 thread {single[c]} vs 2 threads {parallel[c]}");
            if (n > 1)
                Assert.Contains(single, s => s != single[0]); // not a degenerate model
        }
    }

    [Fact]
    public void Auto_UsesCudaOrSaysWhyItFellBackToCpu()
    {
        var log = new List<string>();
        using var ranker = OnnxRanker.Load(Export(RandomMlp(Schema, 1)), Cpu with { ExecutionProvider = OnnxExecutionProvider.Auto, Log = log.Add });
        if (ranker.ExecutionProvider == "CUDA")
        {
            Assert.Null(ranker.FallbackReason);
            return;
        }
        Assert.Equal("CPU", ranker.ExecutionProvider);
        Assert.False(string.IsNullOrWhiteSpace(ranker.FallbackReason));
        string line = Assert.Single(log, l => l.Contains("CUDA unavailable"));
        Assert.Contains("auto -> CPU", line);
        var scores = new float[3];
        ranker.Score(RandomRows(3, Schema.Count, 5), 3, scores);
        Assert.DoesNotContain(scores, float.IsNaN);
    }

    [Fact]
    public void Auto_And_Cuda_LeaveOnlyOurOneLine_NotOnnxRuntimesOwnErrorLog()
    {
        // ONNX Runtime logs a failed CUDA load as its own error line on the native stderr, whatever the session's log
        // level says; the fallback is meant to say why in one line of ours. Where CUDA loads there is nothing to see.
        if (!OperatingSystem.IsLinux())
            return; // the capture redirects file descriptor 2 through libc (Linux, where CI runs)
        string path = Export(RandomMlp(Schema, 4));
        var log = new List<string>();
        string stderr;
        using (var capture = new NativeStderrCapture())
        {
            using (var auto = OnnxRanker.Load(path, Cpu with { ExecutionProvider = OnnxExecutionProvider.Auto, Log = log.Add }))
            {
                if (auto.ExecutionProvider == "CUDA")
                    return;
            }
            Assert.Throws<InvalidOperationException>(() => OnnxRanker.Load(path, Cpu with { ExecutionProvider = OnnxExecutionProvider.Cuda }));
            stderr = capture.Stop();
        }
        Assert.Single(log, l => l.Contains("auto -> CPU"));
        Assert.DoesNotContain("onnxruntime", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("providers_cuda", stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Cuda_OnADeviceThatDoesNotExist_FallsBackUnderAuto_AndIsAClearErrorUnderCuda()
    {
        // Device 99 exists nowhere. Where CUDA's libraries load, the provider only opens the device when the session is
        // made; where they do not (this machine, CI), the library load fails first. Either way auto serves on CPU and says
        // why, and cuda is an InvalidOperationException, never the "not an ONNX model" of a bad file.
        string path = Export(RandomMlp(Schema, 5));
        var log = new List<string>();
        using (var auto = OnnxRanker.Load(path, Cpu with { ExecutionProvider = OnnxExecutionProvider.Auto, CudaDeviceId = 99, Log = log.Add }))
        {
            Assert.Equal("CPU", auto.ExecutionProvider);
            Assert.False(string.IsNullOrWhiteSpace(auto.FallbackReason));
            Assert.Single(log, l => l.Contains("auto -> CPU"));
            var scores = new float[4];
            auto.Score(RandomRows(4, Schema.Count, 6), 4, scores);
            Assert.DoesNotContain(scores, float.IsNaN);
        }
        var e = Assert.Throws<InvalidOperationException>(() => OnnxRanker.Load(path, Cpu with { ExecutionProvider = OnnxExecutionProvider.Cuda, CudaDeviceId = 99 }));
        Assert.Contains("'cuda' was requested", e.Message);

        // A bad file under cuda on a device that cannot run it stays a bad file where the libraries load.
        string garbage = _dir.File("garbage-cuda.onnx");
        File.WriteAllBytes(garbage, [0x08, 0xFF, 0xFF, 0x12, 0x34]);
        Assert.Contains("garbage-cuda.onnx", Assert.Throws<InvalidDataException>(() => OnnxRanker.Load(garbage, Cpu with { ExecutionProvider = OnnxExecutionProvider.Auto, CudaDeviceId = 99 }, Schema)).Message);
    }

    [Fact]
    public void Cuda_WhereCudaCannotLoad_IsAClearError()
    {
        string path = Export(RandomMlp(Schema, 1));
        using (var auto = OnnxRanker.Load(path, Cpu with { ExecutionProvider = OnnxExecutionProvider.Auto }))
        {
            if (auto.ExecutionProvider == "CUDA")
            {
                using var cuda = OnnxRanker.Load(path, Cpu with { ExecutionProvider = OnnxExecutionProvider.Cuda });
                Assert.Equal("CUDA", cuda.ExecutionProvider);
                return;
            }
        }
        var e = Assert.Throws<InvalidOperationException>(() => OnnxRanker.Load(path, Cpu with { ExecutionProvider = OnnxExecutionProvider.Cuda }));
        Assert.Contains("'cuda' was requested but CUDA cannot load", e.Message);
    }

    [Fact]
    public void MalformedFiles_AreClearErrors_NamingTheFile()
    {
        string garbage = _dir.File("garbage.onnx");
        File.WriteAllBytes(garbage, [0x08, 0xFF, 0xFF, 0x12, 0x34, 0x56, 0x78, 0x9A, 0x01]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxRanker.Load(garbage, Cpu, Schema));
        Assert.Contains("garbage.onnx", e.Message);

        byte[] good = File.ReadAllBytes(Export(RandomMlp(Schema, 2)));
        string truncated = _dir.File("truncated.onnx");
        File.WriteAllBytes(truncated, good[..(good.Length / 2)]);
        Assert.Contains("truncated.onnx", Assert.Throws<InvalidDataException>(() => OnnxRanker.Load(truncated, Cpu, Schema)).Message);

        string empty = _dir.File("empty.onnx");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty.onnx", Assert.ThrowsAny<Exception>(() => OnnxRanker.Load(empty, Cpu, Schema)).Message);

        Assert.Throws<FileNotFoundException>(() => OnnxRanker.Load(_dir.File("missing.onnx"), Cpu, Schema));
    }

    [Fact]
    public void SchemaMismatch_IsRefused_NamingTheFeature()
    {
        string path = Export(RandomMlp(Schema, 3));
        var other = RankingFeatureSchema.Create(["action", "comedy", "horror"]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxRanker.Load(path, Cpu, other));
        Assert.Contains("item_category_horror", e.Message);
        Assert.Contains("item_category_drama", e.Message);
    }

    [Fact]
    public void AModelWithoutSchemaMetadata_IsCheckedByWidth_NamingTheFirstMissingFeature()
    {
        // A model "trained elsewhere": one input one column short of the schema, no metadata.
        int f = Schema.Count - 1;
        var g = new OnnxGraphBuilder("foreign");
        g.AddInput("x", OnnxElementType.Float, "n", f);
        g.AddInitializer("w", new float[f], f, 1);
        g.AddNode("MatMul", ["x", "w"], ["y"]);
        g.AddOutput("y", OnnxElementType.Float, "n", 1);
        string path = _dir.File("foreign.onnx");
        g.Save(path);
        var e = Assert.Throws<InvalidDataException>(() => OnnxRanker.Load(path, Cpu, Schema));
        Assert.Contains(Schema.Features[^1].Name, e.Message);
        Assert.Contains("no schema", Assert.Throws<InvalidDataException>(() => OnnxRanker.Load(path, Cpu)).Message);

        // The right width serves, with a [n x 1] output.
        var fits = new OnnxGraphBuilder("foreign");
        fits.AddInput("x", OnnxElementType.Float, "n", Schema.Count);
        fits.AddInitializer("w", Enumerable.Repeat(1f, Schema.Count).ToArray(), Schema.Count, 1);
        fits.AddNode("MatMul", ["x", "w"], ["y"]);
        fits.AddOutput("y", OnnxElementType.Float, "n", 1);
        fits.Save(path);
        using var ranker = OnnxRanker.Load(path, Cpu, Schema);
        var scores = new float[2];
        float[] rows = Enumerable.Repeat(0.5f, 2 * Schema.Count).ToArray();
        ranker.Score(rows, 2, scores);
        Assert.Equal(0.5f * Schema.Count, scores[1], 4);
    }

    [Fact]
    public void NaNFeature_IsAClearError_NamingFeatureAndCandidate()
    {
        using var ranker = OnnxRanker.Load(Export(RandomMlp(Schema, 4)), Cpu);
        float[] rows = RandomRows(10, Schema.Count, 6);
        int column = Schema.IndexOf("user_category_affinity_max");
        rows[7 * Schema.Count + column] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => ranker.Score(rows, 10, new float[10]));
        Assert.Contains("'user_category_affinity_max'", e.Message);
        Assert.Contains("candidate 7", e.Message);
        rows[7 * Schema.Count + column] = float.PositiveInfinity;
        Assert.Throws<ArgumentException>(() => ranker.Score(rows, 10, new float[10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ranker.Score(new float[601 * Schema.Count], 601, new float[601]));
    }

    [Fact]
    public void Score_AllocatesNothingOnceWarm()
    {
        using var ranker = OnnxRanker.Load(Export(RandomMlp(Schema, 5)), Cpu);
        float[] rows = RandomRows(500, Schema.Count, 8);
        var scores = new float[500];
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            for (int i = 0; i < 20; i++)
            {
                ranker.Score(rows, 500, scores);
                ranker.Score(rows, 37, scores);
            }
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Load_WarmsUp_SoTheFirstCallsAtTheLargestSizeAndAtOneCandidateAllocateNothing()
    {
        // "Warm-up at load": the first request must not pay for the lane's bindings. A first ranker warms the code
        // paths (JIT, static state); the second one's very first calls are measured.
        string path = Export(RandomMlp(Schema, 7));
        float[] rows = RandomRows(600, Schema.Count, 10);
        var scores = new float[600];
        using (var first = OnnxRanker.Load(path, Cpu))
        {
            first.Score(rows, 600, scores);
            first.Score(rows, 1, scores);
        }
        using var ranker = OnnxRanker.Load(path, Cpu with { ConcurrentCalls = 1 });
        long before = GC.GetAllocatedBytesForCurrentThread();
        ranker.Score(rows, 600, scores);
        long largest = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        ranker.Score(rows, 1, scores);
        long one = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal((0L, 0L), (largest, one));
        // A size not seen before binds its buffers once (the allocation the warm-up spares the usual sizes).
        before = GC.GetAllocatedBytesForCurrentThread();
        ranker.Score(rows, 333, scores);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before > 0, "a new size allocated nothing: the measurement cannot see a missing warm-up");
    }

    [Fact]
    public void ConcurrentCallers_GetTheSameScoresAsOneCaller()
    {
        MlpRanker model = RandomMlp(Schema, 6);
        using var ranker = OnnxRanker.Load(Export(model), Cpu);
        float[] rows = RandomRows(200, Schema.Count, 9);
        var expected = new float[200];
        ranker.Score(rows, 200, expected);
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var scores = new float[200];
            int n = 50 + i * 9;
            ranker.Score(rows, n, scores);
            Assert.Equal(expected.AsSpan(0, n).ToArray(), scores.AsSpan(0, n).ToArray());
        });
    }
}
