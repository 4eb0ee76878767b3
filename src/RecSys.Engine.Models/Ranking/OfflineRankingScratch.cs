namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// Per-thread buffers of one offline ranking request (<see cref="OfflineRankingFeatures.Input"/>,
/// <see cref="OfflineRankingFeatures.Assemble"/>): the candidate list, the item columns, the content profile and the
/// feature tensor. Sized for the generator's largest list when made from one; grown (rarely) otherwise.
/// </summary>
public sealed class OfflineRankingScratch
{
    public OfflineRankingScratch(RankingCandidateGenerator generator, OfflineRankingFeatures features)
        : this(features, generator.CreateScratch())
    {
    }

    /// <summary>Buffers for requests with a candidate list of their own (no generator).</summary>
    public OfflineRankingScratch(OfflineRankingFeatures features, int capacity = 64)
        : this(features, null, capacity)
    {
    }

    private OfflineRankingScratch(OfflineRankingFeatures features, RankingCandidates? candidates, int capacity = 0)
    {
        Candidates = candidates;
        capacity = candidates?.Capacity ?? capacity;
        Ensure(capacity, features.ContentDimension);
        EnsureTensor(capacity * features.Schema.Count);
    }

    /// <summary>The generator's list (null for a scratch made without one).</summary>
    public RankingCandidates? Candidates { get; }

    /// <summary>[candidates x features] of the last request, row-major.</summary>
    public float[] Tensor { get; private set; } = [];

    internal float[] Trend { get; private set; } = [];

    internal float[] AgeHours { get; private set; } = [];

    internal ulong[] CategoryMask { get; private set; } = [];

    internal float[] Similarity { get; private set; } = [];

    internal float[] Cf { get; private set; } = [];

    internal float[] Profile { get; private set; } = [];

    internal void Ensure(int candidates, int contentDimension)
    {
        if (Trend.Length < candidates)
        {
            Trend = new float[candidates];
            AgeHours = new float[candidates];
            CategoryMask = new ulong[candidates];
            Similarity = new float[candidates];
            Cf = new float[candidates];
        }
        if (Profile.Length < contentDimension)
            Profile = new float[contentDimension];
    }

    internal void EnsureTensor(int length)
    {
        if (Tensor.Length < length)
            Tensor = new float[length];
    }
}
