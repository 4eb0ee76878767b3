using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Filters;

/// <summary>Drops items this surface already showed the user (the email's "already sent"), where the surface asks for it.</summary>
public sealed class ShownOnSurfaceFilter : ICandidateFilter
{
    public string Name => "shown";

    public void Apply(RequestContext context, CandidateSet candidates, Span<bool> keep)
    {
        if (!context.Surface.FilterShownOnSurface)
            return;
        ReadOnlySpan<int> ordinals = candidates.Ordinals;
        for (int i = 0; i < ordinals.Length; i++)
        {
            if (keep[i] && context.WasShownOnSurface(ordinals[i]))
                keep[i] = false;
        }
    }
}
