using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Filters;

/// <summary>
/// Drops what may never be shown: deleted and blocked items, items older than the surface's age limit, and items
/// the request's own filters (categories, allow / deny lists) exclude. Index sources already searched with these
/// (<see cref="RequestContext.SearchParameters"/>); list sources and live deletes are caught here.
/// </summary>
public sealed class AvailabilityFilter : ICandidateFilter
{
    public string Name => "available";

    public void Apply(RequestContext context, CandidateSet candidates, Span<bool> keep)
    {
        ReadOnlySpan<int> ordinals = candidates.Ordinals;
        for (int i = 0; i < ordinals.Length; i++)
        {
            if (keep[i] && !context.PassesHardFilters(ordinals[i]))
                keep[i] = false;
        }
    }
}
