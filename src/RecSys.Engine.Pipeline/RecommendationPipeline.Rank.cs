using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline;

public sealed partial class RecommendationPipeline
{
    /// <summary>The source name the given candidates of <see cref="RankAsync"/> carry (ranked in the order given).</summary>
    public const string GivenCandidates = "candidates";

    /// <summary>
    /// Scores candidates the caller chose (the server's Rank call) with the version's ranker, for one user:
    /// <code>
    ///   user context as for a recommendation (profile, history, CF vector, content profile)
    ///   -> the candidates as one source, "candidates", ranked in the order given
    ///   -> the user's CF affinity as the personal column (when they have a CF vector)
    ///   -> feature assembly (learned ranker) -> one ranker call
    /// </code>
    /// No filters and no post-processing: scores[i] is the score of itemIds[i] (a repeated id gets the same score).
    /// An unknown surface is an ArgumentException naming "surface"; an unknown item an <see cref="UnknownItemException"/>
    /// naming itemIds[i], before any work.
    /// </summary>
    public async ValueTask<float[]> RankAsync(long userId, IReadOnlyList<long> itemIds, string surface = "home", long? nowMs = null,
        CancellationToken cancellationToken = default) =>
        (await RankWithAsync(userId, itemIds, surface, nowMs, cancellationToken).ConfigureAwait(false)).Scores;

    /// <summary>As <see cref="RankAsync"/>, with the name of the ranker that scored and the version it ran on.</summary>
    public async ValueTask<RankResult> RankWithAsync(long userId, IReadOnlyList<long> itemIds, string surface = "home", long? nowMs = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        ArgumentNullException.ThrowIfNull(surface);
        var (version, _) = AcquireRoute(userId, surface);
        try
        {
            var surfaceConfig = version.Config.Surface(surface);
            float[] scores = await RankAsync(userId, itemIds, version, surfaceConfig, nowMs, cancellationToken).ConfigureAwait(false);
            return new RankResult(scores, version.RankerFor(surfaceConfig).Name, version.Name);
        }
        finally
        {
            version.Release();
        }
    }

    private async ValueTask<float[]> RankAsync(long userId, IReadOnlyList<long> itemIds, PipelineVersion version, Config.SurfaceConfig surfaceConfig, long? nowMs,
        CancellationToken cancellationToken)
    {
        var ordinals = new int[itemIds.Count];
        for (int i = 0; i < ordinals.Length; i++)
        {
            if (!_catalog.Items.TryGetOrdinal(itemIds[i], out ordinals[i]))
                throw new UnknownItemException(itemIds[i], $"itemIds[{i}]");
        }
        var scores = new float[ordinals.Length];
        if (ordinals.Length == 0)
            return scores;
        var request = new RecommendRequest { UserId = userId, Surface = surfaceConfig.Name, NowMs = nowMs };
        var scratch = _pool.Rent();
        try
        {
            var context = scratch.Context;
            context.Begin(request, version.Config, surfaceConfig, _catalog, version.Models, Guid.NewGuid().ToString("N"), ordinals.Length, Now(nowMs), version.ContentRows);
            await BuildUserContextAsync(context, scratch, cancellationToken).ConfigureAwait(false);
            var set = scratch.Candidates;
            set.Reset([GivenCandidates], ordinals.Length);
            for (int i = 0; i < ordinals.Length; i++)
                set.SetFound(set.GetOrAdd(ordinals[i], itemIds[i]), 0, i + 1, 0f);
            AddPersonalColumn(context, scratch);
            await RankAsync(context, version, scratch, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < ordinals.Length; i++)
                scores[i] = set.Scores[set.IndexOf(ordinals[i])];
        }
        finally
        {
            _pool.Return(scratch);
        }
        return scores;
    }
}
