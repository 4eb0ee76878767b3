using System.CommandLine;
using RecSys.Engine.Cli;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>What the `bench ann` tests share: running the command in-process, and a small data directory.</summary>
internal static class BenchAnnTestData
{
    public const int Dim = 16;

    public static (int code, string stdout, string stderr) Run(params string[] args) => CommandRun.Run(BenchCommand.Create(), args);

    /// <summary>
    /// base.fvecs, query.fvecs, meta.json and a ground truth of <paramref name="depth"/> ids per query from a
    /// float64 brute force (not from FlatIndex, which is one of the indexes under test).
    /// </summary>
    public static void WriteDataset(string dir, int n, int nq, string metric, int depth)
    {
        var rows = VectorTestData.ClusteredRows(1, n, Dim);
        var queries = VectorTestData.ClusteredRows(2, nq, Dim);
        using (var w = new FvecsWriter(Path.Combine(dir, "base.fvecs"), Dim))
            for (int i = 0; i < n; i++) w.Append(rows.AsSpan(i * Dim, Dim));
        using (var w = new FvecsWriter(Path.Combine(dir, "query.fvecs"), Dim))
            for (int i = 0; i < nq; i++) w.Append(queries.AsSpan(i * Dim, Dim));
        using (var w = new IvecsWriter(Path.Combine(dir, "groundtruth.ivecs"), depth))
        {
            for (int q = 0; q < nq; q++)
            {
                var query = queries.AsSpan(q * Dim, Dim).ToArray();
                var order = Enumerable.Range(0, n).OrderBy(i => metric == "l2"
                    ? SquaredL2.Reference(query, rows.AsSpan(i * Dim, Dim))
                    : -CosineSimilarity.Reference(query, rows.AsSpan(i * Dim, Dim))).ThenBy(i => i).Take(depth).ToArray();
                w.Append(order);
            }
        }
        File.WriteAllText(Path.Combine(dir, "meta.json"), $"{{\"source\":\"test\",\"metric\":\"{metric}\"}}");
    }
}
