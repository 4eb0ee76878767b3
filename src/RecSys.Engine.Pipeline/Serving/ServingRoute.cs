using RecSys.Engine.Pipeline.Experiments;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// What a request reads first, in one read: the active version and the experiments bound to it. Swapped whole by
/// activation and by a change of experiments, so a request never sees a variant of one version beside another
/// active one.
/// </summary>
internal sealed record ServingRoute(PipelineVersion Active, ExperimentBinding? Binding)
{
    /// <summary>The version and variant for a request of <paramref name="userId"/> on <paramref name="surface"/>.</summary>
    public (PipelineVersion Version, VariantCounters? Variant) Route(long userId, string surface) =>
        Binding is null ? (Active, null) : Binding.Route(userId, surface, Active);
}
