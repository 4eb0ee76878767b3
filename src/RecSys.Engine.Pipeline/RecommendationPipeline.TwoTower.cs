using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline;

public sealed partial class RecommendationPipeline
{
    /// <summary>
    /// An upserted item's two-tower vector, from the item tower at once (content and metadata are enough; a trained item
    /// keeps its id embedding and popularity), into the two-tower index: a new or re-added item is added, a changed one
    /// replaced. Nothing to do without a two-tower model.
    /// </summary>
    private void UpdateTwoTower(int ordinal, ItemAttributes item, ServingModels models, bool reindex)
    {
        if (models.TwoTower is not { } model || models.TwoTowerIndex is not { } index)
            return;
        double? ageDays = item.PublishedAtMs > 0 ? Math.Max(0, Now(null) - item.PublishedAtMs) / 86_400_000.0 : null;
        var vector = new float[model.Dimension];
        model.EncodeItem(ordinal, item.Title, item.Categories, item.Tags, ageDays, vector);
        if (!reindex)
        {
            // An HNSW remove repairs the graph around the hole: skip it when a trained item's vector did not move.
            if ((uint)ordinal < (uint)model.ItemCount && model.ItemVector(ordinal).SequenceEqual(vector))
                return;
            index.Remove([ordinal]);
        }
        index.Add([ordinal], vector);
    }
}
