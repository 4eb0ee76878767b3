using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models;

/// <summary>
/// A model that scores a user from that user's history (EASE, item-kNN, content, the blend) rather than from
/// learned per-user state. A model restored from a model directory has no histories; attach the users x items
/// matrix (the same user ordinals as the saved users id list) before calling <see cref="IRecommender.Score"/>.
/// </summary>
public interface IHistoryScorer
{
    void AttachHistories(InteractionMatrix usersByItems);
}
