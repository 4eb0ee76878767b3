namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// Drops merged candidates (seen, deleted, request filters, ...): clears keep[i] for candidate i of
/// <paramref name="candidates"/> that must not be shown. Runs after the merge, before ranking; never sets a flag.
/// </summary>
public interface ICandidateFilter
{
    string Name { get; }

    void Apply(RequestContext context, CandidateSet candidates, Span<bool> keep);
}
