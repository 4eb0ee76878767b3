namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// Per-thread buffers of one offline ranking request (<see cref="OfflineRankingFeatures.Assemble"/>): the candidate list,
/// the item columns, the content profile and the feature tensor, each sized once for the largest candidate list.
/// </summary>
public sealed class OfflineRankingScratch
{
    public OfflineRankingScratch(RankingCandidateGenerator generator, OfflineRankingFeatures features)
    {
        Candidates = generator.CreateScratch();
        int capacity = Candidates.Capacity;
        Interactions = new float[capacity];
        Interactions7d = new float[capacity];
        Interactions30d = new float[capacity];
        AgeDays = new float[capacity];
        CategoryMask = new ulong[capacity];
        Similarity = new float[capacity];
        Profile = new float[features.ContentDimension];
        Tensor = new float[capacity * features.Schema.Count];
    }

    public RankingCandidates Candidates { get; }

    /// <summary>[candidates x features] of the last request, row-major.</summary>
    public float[] Tensor { get; }

    internal float[] Interactions { get; }

    internal float[] Interactions7d { get; }

    internal float[] Interactions30d { get; }

    internal float[] AgeDays { get; }

    internal ulong[] CategoryMask { get; }

    internal float[] Similarity { get; }

    internal float[] Profile { get; }
}
