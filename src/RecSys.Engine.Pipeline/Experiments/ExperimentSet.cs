using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Experiments;

/// <summary>
/// The experiments a pipeline runs, compiled once (<see cref="CreateAsync"/>): per variant its counters, its
/// ranker (loaded once, shared by the versions made for it) and, for a variant pinned to a registry version, the
/// version that serves it. What depends on the active version (variants derived from it) is made by
/// <see cref="Bind"/> at every activation. <see cref="Retire"/> lets go of everything it loaded once the requests
/// in flight are done.
/// <code>
///   control                  -> the active version itself
///   overrides only           -> active.With(overridden config, shared ranker)       made per activation
///   Version = v              -> v.With(overridden config, shared ranker)            made once, here
/// </code>
/// </summary>
internal sealed class ExperimentSet
{
    private readonly CompiledExperiment[] _experiments;

    private ExperimentSet(CompiledExperiment[] experiments) => _experiments = experiments;

    public IReadOnlyList<CompiledExperiment> Experiments => _experiments;

    public static async Task<ExperimentSet> CreateAsync(IReadOnlyList<ExperimentConfig> configs, PipelineVersion active, LiveCatalog catalog,
        IVariantVersionSource? source, CancellationToken cancellationToken)
    {
        ExperimentConfig.ValidateAll(configs, [.. active.Config.Surfaces.Select(s => s.Name)]);
        var experiments = new List<CompiledExperiment>(configs.Count);
        try
        {
            foreach (var config in configs)
            {
                var variants = new CompiledVariant[config.Variants.Count];
                experiments.Add(new CompiledExperiment(config, ExperimentBucketing.SaltKey(config.Salt), ExperimentBucketing.Cumulative(config.Variants), variants));
                for (int v = 0; v < variants.Length; v++)
                    variants[v] = await CompileAsync(config, config.Variants[v], catalog, source, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            new ExperimentSet([.. experiments]).Retire();
            throw;
        }
        return new ExperimentSet([.. experiments]);
    }

    private static async Task<CompiledVariant> CompileAsync(ExperimentConfig experiment, VariantConfig variant, LiveCatalog catalog,
        IVariantVersionSource? source, CancellationToken cancellationToken)
    {
        var counters = new VariantCounters(experiment.Name, variant.Name, variant.Share);
        string where = $"experiment '{experiment.Name}', variant '{variant.Name}'";
        if ((variant.Version is not null || variant.Ranker is not null and not VariantConfig.FallbackRanker) && source is null)
            throw new ArgumentException($"{where}: names registry version '{variant.Version ?? variant.Ranker}', but the pipeline was given no version source", nameof(source));
        IRanker? ranker = null;
        SharedDisposable? shared = null;
        if (variant.Ranker == VariantConfig.FallbackRanker)
            ranker = new Ranking.ReciprocalRankFusionRanker();
        else if (variant.Ranker is not null)
        {
            ranker = await source!.LoadRankerAsync(variant.Ranker, cancellationToken).ConfigureAwait(false);
            shared = new SharedDisposable(ranker as IDisposable);
        }
        var compiled = new CompiledVariant(variant, counters, ranker, shared);
        if (variant.Version is null)
            return compiled;
        PipelineVersion pinned;
        try
        {
            pinned = await source!.LoadVersionAsync(variant.Version, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            compiled.Retire();
            throw;
        }
        try
        {
            compiled.Pinned = compiled.Derive(pinned, catalog, experiment);
        }
        catch
        {
            compiled.Retire();
            throw;
        }
        finally
        {
            // The derived version holds the pinned one while it lives; nothing else needs it.
            pinned.Retire();
        }
        return compiled;
    }

    /// <summary>The routing for <paramref name="active"/>: a version for every variant that is neither control nor pinned.</summary>
    public ExperimentBinding Bind(PipelineVersion active, LiveCatalog catalog)
    {
        var versions = new PipelineVersion?[_experiments.Length][];
        var made = new List<PipelineVersion>();
        try
        {
            for (int e = 0; e < _experiments.Length; e++)
            {
                var experiment = _experiments[e];
                versions[e] = new PipelineVersion?[experiment.Variants.Length];
                for (int v = 0; v < experiment.Variants.Length; v++)
                {
                    var variant = experiment.Variants[v];
                    if (variant.Pinned is not null)
                        versions[e][v] = variant.Pinned;
                    else if (!variant.Config.IsControl)
                        made.Add(versions[e][v] = variant.Derive(active, catalog, experiment.Config));
                }
            }
        }
        catch
        {
            foreach (var version in made)
                version.Retire();
            throw;
        }
        return new ExperimentBinding(this, versions, made);
    }

    /// <summary>Lets go of the pinned versions and the shared rankers (each released after its last request).</summary>
    public void Retire()
    {
        foreach (var experiment in _experiments)
        {
            foreach (var variant in experiment.Variants)
                variant?.Retire(); // null: a variant not compiled when the creation failed
        }
    }

    /// <summary>Every version pinned by a variant (they take live item updates like the active one).</summary>
    public IEnumerable<PipelineVersion> PinnedVersions()
    {
        foreach (var experiment in _experiments)
        {
            foreach (var variant in experiment.Variants)
            {
                if (variant.Pinned is not null)
                    yield return variant.Pinned;
            }
        }
    }

    internal sealed record CompiledExperiment(ExperimentConfig Config, ulong SaltKey, double[] Cumulative, CompiledVariant[] Variants);

    internal sealed class CompiledVariant(VariantConfig config, VariantCounters counters, IRanker? ranker, SharedDisposable? sharedRanker)
    {
        public VariantConfig Config { get; } = config;

        public VariantCounters Counters { get; } = counters;

        /// <summary>The version of a variant pinned to a registry version (owned here).</summary>
        public PipelineVersion? Pinned { get; set; }

        /// <summary>The variant's version on top of <paramref name="basis"/>: overridden config, its ranker when it names one.</summary>
        public PipelineVersion Derive(PipelineVersion basis, LiveCatalog catalog, ExperimentConfig experiment)
        {
            var lease = sharedRanker?.Lease();
            try
            {
                return basis.With(Config.Apply(basis.Config, experiment), catalog, ranker, lease);
            }
            catch (ArgumentException e)
            {
                lease?.Dispose();
                throw new ArgumentException($"experiment '{experiment.Name}', variant '{Config.Name}': {e.Message}", e.ParamName, e);
            }
        }

        public void Retire()
        {
            Pinned?.Retire();
            sharedRanker?.Release();
        }
    }
}
