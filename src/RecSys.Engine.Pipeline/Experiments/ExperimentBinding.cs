using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Experiments;

/// <summary>
/// The experiments bound to one active version: which version answers a (user, surface), and which variant's
/// counters it counts under. Immutable; the pipeline swaps it with the active version, so a request reads both
/// in one consistent read. <see cref="Retire"/> lets go of the versions made for this binding.
/// </summary>
internal sealed class ExperimentBinding
{
    private readonly Dictionary<string, int> _experimentOfSurface = new(StringComparer.Ordinal);
    private readonly PipelineVersion?[][] _versions;
    private readonly List<PipelineVersion> _made;

    public ExperimentBinding(ExperimentSet set, PipelineVersion?[][] versions, List<PipelineVersion> made)
    {
        Set = set;
        _versions = versions;
        _made = made;
        for (int e = 0; e < set.Experiments.Count; e++)
        {
            foreach (string surface in set.Experiments[e].Config.Surfaces)
                _experimentOfSurface[surface] = e;
        }
        AllSurfaces = -1;
        for (int e = 0; e < set.Experiments.Count; e++)
        {
            if (set.Experiments[e].Config.Surfaces.Count == 0)
                AllSurfaces = e;
        }
    }

    public ExperimentSet Set { get; }

    /// <summary>The experiment that runs on every surface (-1: none).</summary>
    private int AllSurfaces { get; }

    /// <summary>The version that answers <paramref name="userId"/> on <paramref name="surface"/> and the variant counted (null: no experiment there).</summary>
    public (PipelineVersion Version, VariantCounters? Variant) Route(long userId, string surface, PipelineVersion active)
    {
        if (!_experimentOfSurface.TryGetValue(surface, out int e))
        {
            e = AllSurfaces;
            if (e < 0)
                return (active, null);
        }
        var experiment = Set.Experiments[e];
        int v = ExperimentBucketing.Choose(ExperimentBucketing.Position(userId, experiment.SaltKey), experiment.Cumulative);
        return (_versions[e][v] ?? active, experiment.Variants[v].Counters);
    }

    /// <summary>Retires the versions derived from the active one for this binding (pinned ones belong to the set).</summary>
    public void Retire()
    {
        foreach (var version in _made)
            version.Retire();
    }
}
