using System.Text.Json;
using RecSys.Engine.Native.Peers;
using RecSys.Engine.Testing;
using Xunit.Abstractions;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>
/// `bench ann --index hnswlib,faiss-*`: the native peers in the same run as ours, and the one line that replaces a peer
/// that is not built. Where build.sh cannot build them (no g++ or packages), the run-them test checks that line instead
/// and the test output says so.
/// </summary>
public sealed class BenchAnnPeersTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = VectorTestData.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int code, string stdout, string stderr) Run(params string[] args) => BenchAnnTestData.Run(args);

    [Fact]
    public void A_peer_that_is_not_built_is_one_line_and_the_other_indexes_run()
    {
        BenchAnnTestData.WriteDataset(_dir, n: 400, nq: 10, "l2", depth: 10);
        string empty = Path.Combine(_dir, "no-peers");
        Directory.CreateDirectory(empty);
        string json = Path.Combine(_dir, "bench.json");
        var (code, stdout, stderr) = Run("bench", "ann", "--data", _dir, "--index", "flat,hnswlib,faiss-hnsw,faiss-ivfpq",
            "--peers-dir", empty, "--nlist", "4", "--m", "4", "--json", json);
        Assert.True(code == 0, stderr);
        AssertSkipLines(stderr, empty);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(["flat"], doc.RootElement.EnumerateArray().Select(r => r.GetProperty("index").GetString()!).ToArray());
        Assert.Contains("| flat |", stdout);

        (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--index", "hnswlib", "--peers-dir", empty);
        Assert.Equal(2, code);
        Assert.Contains("--index: none of the indexes can run here", stderr);
    }

    [Fact]
    public void Built_peers_run_beside_ours_one_row_per_setting_with_their_library_named()
    {
        BenchAnnTestData.WriteDataset(_dir, n: 3000, nq: 30, "cosine", depth: 10);
        string json = Path.Combine(_dir, "peers.json");
        var (build, log) = NativePeerBuild.Run();
        Assert.True(build is NativePeerBuild.Built or NativePeerBuild.PrerequisiteMissing, $"build.sh failed ({build}):\n{log}");
        var (code, stdout, stderr) = Run("bench", "ann", "--data", _dir, "--index", "hnsw,hnswlib,faiss-hnsw,faiss-ivfflat,faiss-ivfpq",
            "--M", "16", "--efc", "200", "--ef", "16,200", "--nlist", "16", "--m", "4", "--nprobe", "16", "--refine", "0,100",
            "--runs", "2", "--build-threads", "2", "--json", json);
        Assert.True(code == 0, stderr);
        if (!PeerLibraries.TryLoad(PeerLibrary.Hnswlib, null, out _) || !PeerLibraries.TryLoad(PeerLibrary.Faiss, null, out _))
        {
            output.WriteLine($"build.sh could not build every peer here ({log.Trim()}), so the skip lines were checked instead");
            Assert.Contains("skipped (the other indexes run)", stderr);
            Assert.Contains("apt-get install -y g++", stderr);
            return;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["hnsw", "hnsw", "hnswlib", "hnswlib", "faiss-hnsw", "faiss-hnsw", "faiss-ivfflat", "faiss-ivfpq", "faiss-ivfpq"],
            rows.Select(r => r.GetProperty("index").GetString()!).ToArray());
        var byParams = rows.ToDictionary(r => $"{r.GetProperty("index").GetString()} {r.GetProperty("params").GetString()}");
        Assert.True(Recall(byParams["hnswlib M=16,ef_construction=200,ef=200"]) >= 0.95, "hnswlib ef=200");
        Assert.True(Recall(byParams["faiss-hnsw M=16,ef_construction=200,ef=200"]) >= 0.95, "faiss-hnsw ef=200");
        Assert.True(Recall(byParams["faiss-ivfflat nlist=16,nprobe=16"]) >= 0.99, "faiss-ivfflat probing every list is exact");
        var pq = byParams["faiss-ivfpq nlist=16,m=4,rotate=1,nprobe=16,refine=100"];
        Assert.True(Recall(pq) >= 0.95, "faiss-ivfpq re-ranking 100");
        // Without re-rank: 4 code bytes + 8 id bytes; with it also the 16 floats it re-scores.
        Assert.Equal(12, byParams["faiss-ivfpq nlist=16,m=4,rotate=1,nprobe=16,refine=0"].GetProperty("bytes_per_vector").GetDouble());
        Assert.True(pq.GetProperty("bytes_per_vector").GetDouble() >= 12 + 16 * sizeof(float), pq.ToString());
        foreach (var row in rows)
        {
            bool peer = row.GetProperty("index").GetString() != "hnsw";
            Assert.Equal(peer, row.TryGetProperty("library", out var library));
            if (peer)
                Assert.Contains("-march=native", library.GetString());
            Assert.Equal(2, row.GetProperty("runs").GetInt32());
            Assert.Equal(2, row.GetProperty("qps_runs").GetArrayLength());
        }
        Assert.Contains("peer hnswlib: hnswlib", stdout);
        Assert.Contains("peer faiss-hnsw, faiss-ivfflat, faiss-ivfpq: FAISS", stdout);
    }

    private static double Recall(JsonElement row) => row.GetProperty("recall_at_10").GetDouble();

    /// <summary>One line per library (not per index), naming the folder, the package and the build script.</summary>
    private static void AssertSkipLines(string stderr, string folder)
    {
        var lines = stderr.Split('\n').Where(l => l.Contains("skipped")).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("[hnswlib] skipped") && l.Contains("apt-get install -y g++ libhnswlib-dev"));
        Assert.Contains(lines, l => l.StartsWith("[faiss] skipped") && l.Contains("apt-get install -y g++ libfaiss-dev"));
        Assert.All(lines, l => Assert.Contains(PeerLibraries.BuildScript, l));
        Assert.All(lines, l => Assert.Contains(folder, l));
    }
}
