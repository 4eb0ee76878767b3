using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>
/// The bfloat16 walk (<see cref="HnswOptions.BFloat16Traversal"/>): level 0 scored on the bfloat16 copy of the
/// rows (<see cref="Bf16Rows"/>, the sorted beam's row type), then the head of the beam re-scored on the float32
/// rows, so the distances returned are exact.
/// </summary>
public sealed unsafe partial class HnswIndex
{
    /// <summary>Entries of a bf16 beam re-scored on float32: 4k, at least 32 (all of it at ef &lt;= 32).</summary>
    internal static int RescoreDepth(int k) => Math.Max(4 * k, 32);

    /// <summary>
    /// Replaces the bfloat16 keys of the beam by float32 ones and sorts it again (closest first, ties: smaller
    /// node). All rows are prefetched before the first is scored, so their misses overlap; an insertion sort
    /// suffices because the order barely changes.
    /// </summary>

    private void RescoreBeam<TMetric>(NodeTables t, HnswScratch s, float* q, int size) where TMetric : struct, IScanMetric
    {
        int rowBytes = Dimension * sizeof(float);
        fixed (HnswCandidate* beam = s.Beam)
        {
            if (Sse.IsSupported)
            {
                for (int i = 0; i < size; i++)
                {
                    byte* v = (byte*)VectorOf(t, beam[i].Node & int.MaxValue);
                    for (int off = 0; off < rowBytes; off += 64)
                        Sse.Prefetch0(v + off);
                }
            }
            for (int i = 0; i < size; i++)
            {
                int node = beam[i].Node & int.MaxValue;
                beam[i] = new HnswCandidate(Distance<TMetric>(q, VectorOf(t, node)), node);
            }
            for (int i = 1; i < size; i++)
            {
                var c = beam[i];
                int j = i - 1;
                while (j >= 0 && (beam[j].Distance > c.Distance || (beam[j].Distance == c.Distance && beam[j].Node > c.Node)))
                {
                    beam[j + 1] = beam[j];
                    j--;
                }
                beam[j + 1] = c;
            }
        }
    }

    /// <summary>
    /// The bf16 rows with the query already split into its even and odd elements (<paramref name="even"/>,
    /// <paramref name="odd"/>, see <see cref="BFloat16SplitQueryKernel"/>): <see cref="Key{TMetric}"/> reads those, not
    /// its <c>q</c> argument, which the float32 rows need.
    /// </summary>
    private readonly struct Bf16Rows(NodeTables t, int dimension, int strideUShorts, float* even, float* odd) : IBeamRows
    {
        private readonly nint* _chunks = t.Bf16Ptr;

        public int RowBytes => dimension * sizeof(ushort);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public byte* RowOf(int node) => (byte*)((ushort*)_chunks[node >> ChunkShift] + (nint)(node & ChunkMask) * strideUShorts);

        /// <summary>The metric's key on the bf16 row: -dot (inner product, cosine) or squared L2.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Key<TMetric>(float* q, int node) where TMetric : struct, IScanMetric
        {
            // typeof tests on a struct type argument are folded by the JIT: no branch is left.
            if (typeof(TMetric) == typeof(NegatedDotScanMetric))
                return -BFloat16SplitQueryKernel.Run<DotOperator>(ref *even, ref *odd, ref *(ushort*)RowOf(node), dimension);
            if (typeof(TMetric) == typeof(SquaredL2ScanMetric))
                return BFloat16SplitQueryKernel.Run<SquaredL2Operator>(ref *even, ref *odd, ref *(ushort*)RowOf(node), dimension);
            throw new NotSupportedException($"no bfloat16 key for {typeof(TMetric).Name}");
        }
    }
}
