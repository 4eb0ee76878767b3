using System.Diagnostics;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Core.Vectors.Storage;

namespace RecSys.Engine.Benchmarks.Index;

/// <summary>
/// `hnsw-ab DIR [blocks] [ef,...] [A,B]`: interleaved A/B of the level-0 search loop on one saved graph (built once
/// with M 16, efC 200 and cached in /tmp/hnsw-ab-graph-NAME), each variant a load of that graph with its options:
/// 0 = two heaps (HnswOptions.TwoHeapBeam), 1 = sorted beam (the default options), 2 = sorted beam on the bfloat16
/// rows (HnswOptions.BFloat16Traversal), 3 = sorted beam after the upper-level descent without its row prefetch
/// (HnswOptions.PlainDescent), 4 = sorted beam with the mapped rows on 2 MiB pages (MappedVectorFile.PreferHugePages),
/// 5 = sorted beam on an owned copy in the saved node order, 6 = the same on a copy in breadth-first order (HnswIndex.Reordered),
/// 7 = sorted beam on the bfloat16 rows of a breadth-first copy (what a bulk bf16 build serves; 6 against 7 is float32 against
/// bfloat16 on one graph);
/// default A = 0, B = 1. One thread, k = 10; after a 2 s warm-up, per ef the
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
        // Variant 4 maps the rows on 2 MiB pages: it drops the file's cached pages and reads them back in 2 MiB folios.
        // On this kernel a file read in from disk by page faults comes back in large folios either way, and a file just
        // written stays in the write path's small ones; so with variant 4 in the set every variant loads a fresh copy
        // of the graph (written here, cached small), and only variant 4 re-reads its copy.
        var indexes = new HnswIndex[variants.Length];
        var copies = new List<string>();
        for (int i = 0; i < variants.Length; i++)
        {
            int v = variants[i];
            string loadDir = graphDir;
            if (variants.Contains(4))
            {
                loadDir = $"{graphDir}-copy{i}";
                Directory.CreateDirectory(loadDir);
                foreach (string f in Directory.GetFiles(graphDir))
                    File.Copy(f, Path.Combine(loadDir, Path.GetFileName(f)), overwrite: true);
                copies.Add(loadDir);
            }
            indexes[i] = HnswIndex.Load(loadDir, v switch
            {
                0 => new HnswOptions { TwoHeapBeam = true },
                1 or 4 or 5 or 6 => new HnswOptions(),
                2 or 7 => new HnswOptions { BFloat16Traversal = true },
                3 => new HnswOptions { PlainDescent = true },
                _ => throw new ArgumentException($"variant {v}: 0 (two heaps), 1 (sorted beam), 2 (sorted beam on bfloat16), 3 (sorted beam, descent without prefetch), 4 (sorted beam, rows mapped on huge pages), 5 (an owned copy in the saved order), 6 (an owned copy in breadth-first order) or 7 (6 on bfloat16 rows)"),
            }, m =>
            {
                if (v == 4)
                    Console.WriteLine($"variant 4: {m.PreferHugePages() ?? "rows advised for huge pages"}");
                TouchEveryPage(m); // no variant takes page faults inside its timed blocks
            });
            if (v is 5 or 6 or 7)
            {
                // Both copies go through the same code into the same kind of memory; only the node order differs.
                var loaded = indexes[i];
                var sw = Stopwatch.StartNew();
                indexes[i] = loaded.Reordered(identity: v == 5);
                Console.WriteLine($"variant {v}: copied in {sw.Elapsed.TotalSeconds:F2} s");
                loaded.Dispose();
            }
        }
        Console.WriteLine("mapped on huge pages (smaps_rollup): " + string.Join(", ", File.ReadAllLines("/proc/self/smaps_rollup")
            .Where(l => l.StartsWith("FilePmdMapped", StringComparison.Ordinal) || l.StartsWith("AnonHugePages", StringComparison.Ordinal))
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))));
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
        foreach (string copy in copies)
            Directory.Delete(copy, recursive: true);
        return 0;
    }

    private static unsafe void TouchEveryPage(MappedVectorFile m)
    {
        long sum = 0;
        for (long off = 0; off < m.MappingLength; off += 4096)
            sum += m.MappingPointer[off];
        GC.KeepAlive(sum);
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
