using RecSys.Engine.Core.Index;

namespace RecSys.Engine.Models.Retrieval;

/// <summary>
/// The serving-side retrieval contract, beside the dense <see cref="IRecommender.Score"/> (which scores every item
/// and stays for offline evaluation): a query vector in, the best catalog ordinals out, higher score = better,
/// without touching the whole catalog. Implementations are thread-safe and allocate nothing once warm.
/// </summary>
public interface IItemRetriever
{
    /// <summary>Length of a query vector.</summary>
    int Dimension { get; }

    /// <summary>
    /// Writes up to items.Length ordinals (best first) and their scores for <paramref name="query"/>; returns how
    /// many were written. <paramref name="parameters"/> carries ef / nprobe and an id filter over ordinals.
    /// </summary>
    int Retrieve(ReadOnlySpan<float> query, Span<int> items, Span<float> scores, SearchParameters? parameters = null, CancellationToken cancellationToken = default);
}
