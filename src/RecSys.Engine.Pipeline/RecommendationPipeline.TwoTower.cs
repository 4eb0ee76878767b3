using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline;

public sealed partial class RecommendationPipeline
{
    /// <summary>
    /// An upserted item's two-tower vector, from the item tower at once (content and metadata are enough; a trained item
    /// keeps its id embedding and popularity), into the two-tower index of every serving version that has one (each with
    /// its own model's item tower): a new or re-added item is added, a changed one replaced.
    /// </summary>
    private void UpdateTwoTower(int ordinal, ItemAttributes item, List<PipelineVersion> serving, bool reindex)
    {
        double? ageDays = item.PublishedAtMs > 0 ? Math.Max(0, Now(null) - item.PublishedAtMs) / 86_400_000.0 : null;
        foreach (var version in serving)
        {
            if (version.Models.TwoTower is not { } model || version.Models.TwoTowerIndex is not { } index)
                continue;
            var vector = new float[model.Dimension];
            model.EncodeItem(ordinal, item.Title, item.Categories, item.Tags, ageDays, vector);
            var rows = version.Models.TwoTowerRows!;
            if (!reindex)
            {
                // An HNSW remove repairs the graph around the hole: skip it when the vector the index holds did not move
                // (compared with what the index holds, not with the trained vector: an item edited and then edited back
                // must get its trained vector back into the index).
                if (rows.Row(ordinal).SequenceEqual(vector))
                    continue;
                index.Remove([ordinal]);
            }
            index.Add([ordinal], vector);
            rows.Set(ordinal, vector);
        }
    }
}
