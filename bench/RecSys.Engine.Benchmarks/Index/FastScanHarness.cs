using System.Diagnostics;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Core.Vectors.Selection;

namespace RecSys.Engine.Benchmarks.Index;

/// <summary>
/// `fastscan DIR [nlist] [m]`: whole-search recall and single-thread latency of 8-bit PQ (IvfPqIndex, scalar
/// ADC loop) against a 4-bit fast-scan prototype at the same code bytes, on one dataset (base.fvecs,
/// query.fvecs, groundtruth.ivecs; cosine). The prototype reuses the trained index's rotation and coarse
/// centroids (so both probe the same lists), trains 2m sub-quantizers of 16 centroids on the residuals of the
/// same sample size, packs each list in FastScan4 blocks, and searches: per probed list a 2m x 16 float table
/// -> bytes -> FastScan4.Scan -> approximate float distances -> top max(k, R) -> exact re-rank of R from the
/// float vectors (as refine does). Not an index option yet: this measures which loop wins here.
/// </summary>
internal static class FastScanHarness
{
    private const int K = 10;

    public static int Run(string[] args)
    {
        string dir = args.Length > 0 ? args[0] : "/tmp/syn100k96";
        int nlist = args.Length > 1 ? int.Parse(args[1]) : 1024;
        int m8 = args.Length > 2 ? int.Parse(args[2]) : 24;
        var (baseRows, dim) = ReadAll(Path.Combine(dir, "base.fvecs"));
        var (queries, _) = ReadAll(Path.Combine(dir, "query.fvecs"));
        int n = baseRows.Length / dim, nq = queries.Length / dim;
        var truth = ReadTruth(Path.Combine(dir, "groundtruth.ivecs"), nq);
        for (int i = 0; i < n; i++)
            CosineSimilarity.Normalize(baseRows.AsSpan(i * dim, dim));
        for (int i = 0; i < nq; i++)
            CosineSimilarity.Normalize(queries.AsSpan(i * dim, dim));
        Console.WriteLine($"fastscan: {dir}, {n:N0} x {dim}, {nq} queries; nlist {nlist}; 8-bit m {m8} vs 4-bit m {2 * m8} ({m8} code bytes each); load {File.ReadAllText("/proc/loadavg").Trim()}");

        var ids = new long[n];
        for (int i = 0; i < n; i++)
            ids[i] = i;
        using var index = new IvfPqIndex(dim, DistanceMetric.Cosine, new IvfPqOptions { NList = nlist, M = m8 });
        var sw = Stopwatch.StartNew();
        index.Train(baseRows);
        index.Add(ids, baseRows);
        Console.WriteLine($"8-bit index built in {sw.Elapsed.TotalSeconds:F1} s");

        sw.Restart();
        var fast = FastIvf.Build(index, baseRows, n, dim, 2 * m8);
        Console.WriteLine($"4-bit codebooks + packing in {sw.Elapsed.TotalSeconds:F1} s");

        Console.WriteLine("| codes | nprobe | refine | recall@10 | p50 us | mean us |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (int refine in new[] { 0, 50, 100 })
        {
            foreach (int nprobe in new[] { 4, 8, 16 })
            {
                var p = new SearchParameters { NProbe = nprobe, Refine = refine, MaxDegreeOfParallelism = 1 };
                var found = new long[K];
                var dist = new float[K];
                Measure("8-bit scalar", nprobe, refine, nq, truth, q => { index.Search(queries.AsSpan(q * dim, dim), K, found, dist, p); return found; });
                Measure("4-bit fast-scan", nprobe, refine, nq, truth, q => { fast.Search(queries.AsSpan(q * dim, dim), nprobe, refine, found); return found; });
            }
        }
        return 0;
    }

    private static void Measure(string name, int nprobe, int refine, int nq, int[][] truth, Func<int, long[]> search)
    {
        for (int r = 0; r < 2; r++)
        {
            for (int q = 0; q < nq; q++)
                search(q); // warm past tiered JIT
        }
        var lat = new double[nq];
        int hits = 0;
        for (int q = 0; q < nq; q++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var found = search(q);
            lat[q] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            foreach (long id in found)
            {
                if (Array.IndexOf(truth[q], (int)id) >= 0)
                    hits++;
            }
        }
        Array.Sort(lat);
        Console.WriteLine($"| {name} | {nprobe} | {refine} | {(double)hits / (nq * K):F4} | {lat[nq / 2]:F1} | {lat.Average():F1} |");
    }

    private static (float[] Rows, int Dim) ReadAll(string path)
    {
        using var reader = VectorReaders.Open(path);
        int dim = reader.Dimension;
        var rows = new float[checked((int)(reader.Count!.Value * dim))];
        long count = reader.Count.Value;
        for (int i = 0; i < count; i++)
        {
            if (!reader.TryReadNext(rows.AsSpan(i * dim, dim), out _))
                throw new InvalidDataException($"{path}: ended after {i} of {count} rows");
        }
        return (rows, dim);
    }

    private static int[][] ReadTruth(string path, int nq)
    {
        using var reader = new IvecsReader(path);
        var truth = new int[nq][];
        var row = new int[reader.Dimension];
        for (int q = 0; q < nq && reader.TryReadNext(row); q++)
            truth[q] = row[..K];
        return truth;
    }

    /// <summary>The 4-bit prototype: per list, packed blocks and ids; the float vectors for re-rank.</summary>
    private sealed unsafe class FastIvf
    {
        private readonly IvfPqIndex _index;
        private readonly float[] _vectors;
        private readonly int _dim, _m, _sub;
        private readonly float[] _codebooks; // m x 16 x sub
        private readonly byte[][] _blocks;
        private readonly long[][] _ids;
        private readonly int[] _counts;
        private readonly float[] _q, _qr, _res, _table;
        private readonly byte[] _lut;
        private readonly ushort[] _sums;
        private readonly long[] _probes;
        private readonly float[] _probeKeys, _candKeys, _finalKeys;
        private readonly long[] _candIds;

        private FastIvf(IvfPqIndex index, float[] vectors, int dim, int m, float[] codebooks, byte[][] blocks, long[][] ids, int[] counts)
        {
            _index = index;
            _vectors = vectors;
            _dim = dim;
            _m = m;
            _sub = dim / m;
            _codebooks = codebooks;
            _blocks = blocks;
            _ids = ids;
            _counts = counts;
            _q = new float[dim];
            _qr = new float[dim];
            _res = new float[dim];
            _table = new float[m * 16];
            _lut = new byte[m * 16];
            _sums = new ushort[blocks.Max(b => b.Length) / FastScan4.BlockBytes(m) * 32 + 32];
            _probes = new long[64];
            _probeKeys = new float[64];
            _candKeys = new float[128];
            _candIds = new long[128];
            _finalKeys = new float[K];
        }

        public static FastIvf Build(IvfPqIndex index, float[] rows, int n, int dim, int m)
        {
            int sub = dim / m;
            var coarse = index.CoarseQuantizer!;
            var rot = index.Rotation!;
            var rotated = new float[rows.Length];
            for (int i = 0; i < n; i++)
                rot.Apply(rows.AsSpan(i * dim, dim), rotated.AsSpan(i * dim, dim));
            var lists = new long[n];
            coarse.Assign(rotated, lists);
            var residuals = new float[rows.Length];
            for (int i = 0; i < n; i++)
                System.Numerics.Tensors.TensorPrimitives.Subtract(rotated.AsSpan(i * dim, dim), coarse.Centroid((int)lists[i]), residuals.AsSpan(i * dim, dim));
            // Codebooks: 16 centroids per sub-space on the first 65,536 residuals (the 8-bit PQ's sample size).
            int trainN = Math.Min(n, 65536);
            var codebooks = new float[m * 16 * sub];
            var slice = new float[trainN * sub];
            for (int j = 0; j < m; j++)
            {
                for (int i = 0; i < trainN; i++)
                    residuals.AsSpan(i * dim + j * sub, sub).CopyTo(slice.AsSpan(i * sub, sub));
                var km = KMeans.Train(slice, sub, 16, new KMeansOptions { Iterations = 25, Seed = 43 + (ulong)j });
                km.Centroids.AsSpan().CopyTo(codebooks.AsSpan(j * 16 * sub, 16 * sub));
            }
            var codes = new byte[n * m];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    var x = residuals.AsSpan(i * dim + j * sub, sub);
                    int best = 0;
                    float bestD = float.PositiveInfinity;
                    for (int c = 0; c < 16; c++)
                    {
                        float d = SquaredL2.Compute(x, codebooks.AsSpan((j * 16 + c) * sub, sub));
                        if (d < bestD)
                        {
                            bestD = d;
                            best = c;
                        }
                    }
                    codes[i * m + j] = (byte)best;
                }
            }
            int nlist = coarse.Count;
            var members = new List<int>[nlist];
            for (int l = 0; l < nlist; l++)
                members[l] = [];
            for (int i = 0; i < n; i++)
                members[lists[i]].Add(i);
            var blocks = new byte[nlist][];
            var ids = new long[nlist][];
            var counts = new int[nlist];
            for (int l = 0; l < nlist; l++)
            {
                int count = members[l].Count;
                counts[l] = count;
                var listCodes = new byte[count * m];
                ids[l] = new long[count];
                for (int p = 0; p < count; p++)
                {
                    codes.AsSpan(members[l][p] * m, m).CopyTo(listCodes.AsSpan(p * m, m));
                    ids[l][p] = members[l][p];
                }
                blocks[l] = new byte[(count + 31) / 32 * FastScan4.BlockBytes(m)];
                FastScan4.Pack(listCodes, count, m, blocks[l]);
            }
            return new FastIvf(index, rows, dim, m, codebooks, blocks, ids, counts);
        }

        public void Search(ReadOnlySpan<float> query, int nprobe, int refine, long[] outIds)
        {
            int dim = _dim;
            query.CopyTo(_q);
            CosineSimilarity.Normalize(_q);
            _index.Rotation!.Apply(_q, _qr);
            var coarse = _index.CoarseQuantizer!;
            coarse.Probe(_qr, _probes.AsSpan(0, nprobe), _probeKeys.AsSpan(0, nprobe));
            int cap = Math.Max(K, refine);
            var heap = new TopKHeap(_candKeys.AsSpan(0, cap), _candIds.AsSpan(0, cap));
            fixed (byte* lut = _lut)
            fixed (ushort* sums = _sums)
            {
                for (int p = 0; p < nprobe; p++)
                {
                    int list = (int)_probes[p];
                    int count = _counts[list];
                    if (count == 0)
                        continue;
                    System.Numerics.Tensors.TensorPrimitives.Subtract(_qr, coarse.Centroid(list), _res);
                    // 2m x 16 entries of a few floats each: a plain loop (a kernel call per entry costs more than the entry).
                    int sub = _sub;
                    for (int j = 0; j < _m; j++)
                    {
                        int r0 = j * sub;
                        for (int c = 0; c < 16; c++)
                        {
                            int c0 = (j * 16 + c) * sub;
                            float d = 0;
                            for (int t = 0; t < sub; t++)
                            {
                                float diff = _res[r0 + t] - _codebooks[c0 + t];
                                d += diff * diff;
                            }
                            _table[j * 16 + c] = d;
                        }
                    }
                    FastScan4.QuantizeTable(_table, _m, _lut, out float bias, out float scale);
                    fixed (byte* blocks = _blocks[list])
                        FastScan4.Scan(blocks, (count + 31) / 32, _m, lut, sums);
                    float inv = 1f / scale;
                    var ids = _ids[list];
                    for (int i = 0; i < count; i++)
                    {
                        float d = bias + sums[i] * inv;
                        if (d < heap.Threshold)
                            heap.Push(d, ids[i]);
                    }
                }
            }
            if (refine == 0)
            {
                heap.SortAscending();
                _candIds.AsSpan(0, K).CopyTo(outIds);
                return;
            }
            var final = new TopKHeap(_finalKeys, outIds);
            for (int c = 0; c < heap.Count; c++)
            {
                long id = _candIds[c];
                final.Push(1f - DotProduct.Compute(_q, _vectors.AsSpan((int)id * dim, dim)), id);
            }
            final.SortAscending();
        }
    }
}
