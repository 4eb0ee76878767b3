using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Filters;

/// <summary>Drops items the user interacted with (the history window read from the store), on surfaces that filter seen items.</summary>
public sealed class SeenFilter : ICandidateFilter
{
    public string Name => "seen";

    public void Apply(RequestContext context, CandidateSet candidates, Span<bool> keep)
    {
        if (!context.Surface.FilterSeen || context.SeenCount == 0)
            return;
        ReadOnlySpan<int> ordinals = candidates.Ordinals;
        for (int i = 0; i < ordinals.Length; i++)
        {
            if (keep[i] && context.IsSeen(ordinals[i]))
                keep[i] = false;
        }
    }
}
