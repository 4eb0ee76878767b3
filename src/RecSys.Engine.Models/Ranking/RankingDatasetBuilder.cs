using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// Training rows from the retrieval stage itself: for every user with held-out items, the candidates the sources
/// return (hard negatives: what the sources liked but the user did not pick) labelled 1 when the user holds the item
/// out. The held-out items must come from the training part (a split of it, see <see cref="RankedRecommender"/>), never
/// from the test part. Users are processed in parallel and concatenated in user order: the result does not depend
/// on the thread count.
/// </summary>
public static class RankingDatasetBuilder
{
    public static RankingDataset Build(OfflineRankingFeatures features, RankingCandidateGenerator generator, InteractionMatrix heldOut,
        int maxDegreeOfParallelism = -1)
    {
        var schema = features.Schema;
        var assembler = new RankingFeatureAssembler(schema);
        int users = heldOut.RowCount, f = schema.Count;
        var perUser = new (float[] Rows, float[] Labels)?[users];
        Parallel.For(0, users, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            () => new OfflineRankingScratch(generator, features), (u, _, scratch) =>
            {
                ReadOnlySpan<int> relevant = heldOut.Columns(u);
                if (relevant.IsEmpty)
                    return scratch;
                int n = features.Assemble(u, generator, assembler, scratch);
                var labels = new float[n];
                ReadOnlySpan<int> items = scratch.Candidates!.CandidateItems;
                for (int c = 0; c < n; c++)
                    labels[c] = relevant.BinarySearch(items[c]) >= 0 ? 1f : 0f;
                perUser[u] = (scratch.Tensor.AsSpan(0, n * f).ToArray(), labels);
                return scratch;
            }, _ => { });

        int queries = 0, rows = 0;
        foreach (var q in perUser)
        {
            if (q is { } v)
            {
                queries++;
                rows += v.Labels.Length;
            }
        }
        var all = new float[rows * f];
        var allLabels = new float[rows];
        var start = new int[queries + 1];
        var user = new int[queries];
        var relevantCount = new int[queries];
        int k = 0;
        for (int u = 0; u < users; u++)
        {
            if (perUser[u] is not { } v)
                continue;
            v.Rows.CopyTo(all, start[k] * f);
            v.Labels.CopyTo(allLabels, start[k]);
            start[k + 1] = start[k] + v.Labels.Length;
            user[k] = u;
            relevantCount[k] = heldOut.RowLength(u);
            k++;
        }
        return new RankingDataset(schema, all, allLabels, start, user, relevantCount);
    }
}
