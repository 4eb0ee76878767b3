using RecSys.Engine.Core.Index.Scan;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>Greedy descent through the upper levels: the search's and the insert's way down to a good entry point.</summary>
public sealed unsafe partial class HnswIndex
{
    /// <summary>Greedy walk on levels fromLevel .. toLevel+1: move to a closer neighbour until none is closer.</summary>
    private void GreedyDescend<TMetric>(NodeTables t, float* q, ref int cur, ref float curDist, int fromLevel, int toLevel, CancellationToken ct)
        where TMetric : struct, IScanMetric
    {
        int hops = 0;
        for (int level = fromLevel; level > toLevel; level--)
        {
            bool changed = true;
            while (changed)
            {
                changed = false;
                int* list = LinksOf(t, cur, level);
                int count = Volatile.Read(ref *list);
                for (int j = 1; j <= count; j++)
                {
                    int n = list[j];
                    float d = Distance<TMetric>(q, VectorOf(t, n));
                    if (d < curDist)
                    {
                        curDist = d;
                        cur = n;
                        changed = true;
                    }
                }
                if (++hops % CancelCheckHops == 0 && ct.IsCancellationRequested)
                    ct.ThrowIfCancellationRequested();
            }
        }
    }
}
