using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Experiments;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline;

public sealed partial class RecommendationPipeline
{
    private readonly RequestAttribution _attribution;

    /// <summary>
    /// Runs <paramref name="experiments"/> from now on (an empty list stops them): validated (names, shares adding to
    /// 1, surfaces known and in one experiment each), variants pinned to registry versions or naming rankers loaded
    /// through <paramref name="source"/>, then swapped in at once. Counters start at zero. The previous experiments'
    /// versions are released after their last request.
    /// </summary>
    public async Task SetExperimentsAsync(IReadOnlyList<ExperimentConfig> experiments, IVariantVersionSource? source = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiments);
        ExperimentSet? set = experiments.Count == 0 ? null
            : await ExperimentSet.CreateAsync(experiments, Version, _catalog, source, cancellationToken).ConfigureAwait(false);
        // Item updates write into the pinned versions' indexes: none may run while those versions are let go.
        await UnderCatalogWritesAsync(() =>
        {
            ServingRoute previous;
            try
            {
                lock (_swapLock)
                {
                    previous = _route;
                    Volatile.Write(ref _route, new ServingRoute(previous.Active, set?.Bind(previous.Active, _catalog)));
                }
            }
            catch
            {
                set?.Retire();
                throw;
            }
            previous.Binding?.Retire();
            previous.Binding?.Set.Retire();
            return Task.FromResult(true);
        }, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The experiments running now, as configured.</summary>
    public IReadOnlyList<ExperimentConfig> Experiments =>
        Volatile.Read(ref _route).Binding?.Set.Experiments.Select(e => e.Config).ToArray() ?? [];

    /// <summary>The live counters of every variant of the running experiments (requests, impressions, clicks, CTR).</summary>
    public IReadOnlyList<VariantCounters> ExperimentCounters =>
        Volatile.Read(ref _route).Binding?.Set.Experiments.SelectMany(e => e.Variants.Select(v => v.Counters)).ToArray() ?? [];

    /// <summary>Counts a response of experiment traffic and remembers it for click attribution.</summary>
    private void CountServed(VariantCounters variant, long userId, RecommendResponse response)
    {
        Interlocked.Increment(ref variant._requests);
        Interlocked.Add(ref variant._impressions, response.Items.Length);
        if (response.Items.Length > 0)
            _attribution.Add(response.RequestId, userId, response.Items, variant);
    }

    /// <summary>Experiment responses the click-attribution window holds at most (<see cref="PipelineOptions.AttributionCapacity"/>).</summary>
    public int AttributionWindow => _attribution.Capacity;

    /// <summary>Experiment responses the click-attribution window holds now.</summary>
    public int AttributionWindowUsed => _attribution.Count;

    /// <summary>
    /// Credits the clicks and purchases that carry the request id of an experiment response to its variant (a shown item
    /// once, whichever comes first); those whose request id is unknown or expired are counted as not attributed. The
    /// events themselves were recorded before, attributed or not.
    /// </summary>
    private void AttributeClicks(IReadOnlyList<InteractionEvent> events)
    {
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Type is not (EventType.Click or EventType.Purchase) || e.RequestId is null)
                continue;
            switch (_attribution.Click(e.RequestId, e.UserId, e.ItemId))
            {
                case AttributionOutcome.Credited:
                    Interlocked.Increment(ref Stats._attributedClicks);
                    break;
                case AttributionOutcome.NotAttributed:
                    Interlocked.Increment(ref Stats._unattributedClicks);
                    break;
            }
        }
    }
}
