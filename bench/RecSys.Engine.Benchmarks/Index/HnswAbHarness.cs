using System.Diagnostics;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Readers;

namespace RecSys.Engine.Benchmarks.Index;

/// <summary>
/// `hnsw-ab DIR [blocks] [ef,...] [A,B]`: interleaved A/B of the level-0 search loop on one saved graph (built once
/// with M 16, efC 200 and cached in /tmp/hnsw-ab-graph-NAME), each variant a load of that graph with its options:
/// 0 = two heaps (HnswOptions.TwoHeapBeam), 1 = sorted beam (the default options), 2 = sorted beam on the bfloat16
/// rows (HnswOptions.BFloat16Traversal), 3 = sorted beam after the upper-level descent without its row prefetch
/// (HnswOptions.PlainDescent); default A = 0, B = 1. One thread, k = 10; after a 2 s warm-up, per ef the
/// variants alternate in blocks of 1,000 queries; prints median / min / max QPS of the blocks and recall@10 per variant.
/// </summary>
internal static class HnswAbHarness
{
    private const int K = 10;
    private const int Block = 1000;

    public static int Run(string[] args)
    {
        string dir = args.Length > 0 ? args[0] : "/tmp/syn100k";
        int blocks = args.Length > 1 ? int.Parse(args[1]) : 12;
        int[] efs = args.Length > 2 ? args[2].Split(',').Select(int.Parse).ToArray() : [16, 32, 64];
        int[] variants = args.Length > 3 ? args[3].Split(',').Select(int.Parse).ToArray() : [0, 1];
        var (queries, dim, nq) = ReadFvecs(Path.Combine(dir, "query.fvecs"));
        int gtK;
        int[] gt;
        using (var r = new IvecsReader(Path.Combine(dir, "groundtruth.ivecs")))
        {
            gtK = r.Dimension;
            gt = new int[nq * gtK];
            for (int q = 0; q < nq; q++)
                r.TryReadNext(gt.AsSpan(q * gtK, gtK));
        }
        string graphDir = Path.Combine(Path.GetTempPath(), "hnsw-ab-graph-" + Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)));
        if (!Directory.Exists(graphDir))
        {
            var (rows, bdim, n) = ReadFvecs(Path.Combine(dir, "base.fvecs"));
            var sw = Stopwatch.StartNew();
            using var built = new HnswIndex(bdim, DistanceMetric.Cosine, new HnswOptions { M = 16, EfConstruction = 200 });
            var ids = new long[n];
            for (int i = 0; i < n; i++)
                ids[i] = i;
            built.Add(ids, rows);
            Console.WriteLine($"built {n} in {sw.Elapsed.TotalSeconds:F1} s");
            built.Save(graphDir);
        }
        // One load per variant: the same graph, searched with that variant's options (a bf16 load reads every row once).
        var indexes = variants.Select(v => HnswIndex.Load(graphDir, v switch
        {
            0 => new HnswOptions { TwoHeapBeam = true },
            1 => new HnswOptions(),
            2 => new HnswOptions { BFloat16Traversal = true },
            3 => new HnswOptions { PlainDescent = true },
            _ => throw new ArgumentException($"variant {v}: 0 (two heaps), 1 (sorted beam), 2 (sorted beam on bfloat16) or 3 (sorted beam, descent without prefetch)"),
        })).ToArray();
        Console.WriteLine($"hnsw-ab: {dir}, {indexes[0].Count} x {dim}, {nq} queries, blocks of {Block}, {blocks} per variant; load {File.ReadAllText("/proc/loadavg").Trim()}");
        var outIds = new long[Block * K];
        var outDist = new float[Block * K];
        var blockQueries = new float[Block * dim];
        int cursor = 0;

        double RunBlock(int ef, int variant, ref long hits)
        {
            var searched = indexes[variant];
            int start = cursor;
            for (int i = 0; i < Block; i++)
                Array.Copy(queries, ((start + i) % nq) * dim, blockQueries, i * dim, dim);
            var p = new SearchParameters { Ef = ef, MaxDegreeOfParallelism = 1 };
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < Block; i++)
                searched.Search(blockQueries.AsSpan(i * dim, dim), K, outIds.AsSpan(i * K, K), outDist.AsSpan(i * K, K), p);
            double secs = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            for (int i = 0; i < Block; i++)
            {
                int q = (start + i) % nq;
                for (int a = 0; a < K; a++)
                {
                    for (int b = 0; b < K; b++)
                    {
                        if (outIds[i * K + a] == gt[q * gtK + b])
                        {
                            hits++;
                            break;
                        }
                    }
                }
            }
            return Block / secs;
        }

        long dummy = 0;
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 2)
        {
            RunBlock(32, 0, ref dummy);
            RunBlock(32, 1, ref dummy);
        }
        Console.WriteLine($"A = variant {variants[0]}, B = variant {variants[1]}");
        Console.WriteLine("| ef | A median QPS (min-max) | B median QPS (min-max) | B/A of medians | median B/A of pairs | B faster in pairs | A recall@10 | B recall@10 |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int ef in efs)
        {
            var qps = new[] { new List<double>(), new List<double>() };
            var hits = new long[2];
            for (int b = 0; b < blocks; b++)
            {
                // Same queries for both variants in a pair; alternate which goes first.
                int first = b & 1;
                int saved = cursor;
                qps[first].Add(RunBlock(ef, first, ref hits[first]));
                cursor = saved;
                qps[1 - first].Add(RunBlock(ef, 1 - first, ref hits[1 - first]));
                cursor = (cursor + Block) % nq;
            }
            double ma = Median(qps[0]), mb = Median(qps[1]);
            var ratios = Enumerable.Range(0, blocks).Select(i => qps[1][i] / qps[0][i]).ToList();
            int wins = ratios.Count(r => r > 1);
            double total = (double)blocks * Block * K;
            Console.WriteLine($"| {ef} | {ma:N0} ({qps[0].Min():N0}-{qps[0].Max():N0}) | {mb:N0} ({qps[1].Min():N0}-{qps[1].Max():N0}) | {mb / ma:F3} | {Median(ratios):F3} | {wins}/{blocks} | {hits[0] / total:F4} | {hits[1] / total:F4} |");
        }
        Console.WriteLine($"load after {File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (var loaded in indexes)
            loaded.Dispose();
        return 0;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static (float[] rows, int dim, int n) ReadFvecs(string path)
    {
        using var r = new FvecsReader(path);
        int dim = r.Dimension;
        int n = checked((int)r.Count!.Value);
        var rows = new float[(long)n * dim];
        for (int i = 0; i < n; i++)
            r.TryReadNext(rows.AsSpan(i * dim, dim), out _);
        return (rows, dim, n);
    }
}
