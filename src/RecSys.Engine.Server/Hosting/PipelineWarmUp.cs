using Microsoft.Extensions.Logging;
using RecSys.Engine.Pipeline;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// A few requests through every surface before the port opens, so the first clients do not pay for JIT compilation
/// and cold pages: a cold request can take several times the sources' 50 ms budgets, and a source past its budget is
/// dropped, so the first answers of an unwarmed server can be empty. The requests run on a version derived from the
/// active one that records nothing (no impressions, no served-impression counts) for an anonymous user, with budgets
/// long enough for every source to finish; they count in the pipeline's request statistics only.
/// </summary>
internal static partial class PipelineWarmUp
{
    /// <summary>Rounds over the surfaces: the first compiles, the second runs the compiled code (tiered JIT's next step).</summary>
    private const int Rounds = 2;

    /// <summary>Best effort: a surface whose warm-up request fails is logged and skipped (real requests will say what is wrong).</summary>
    public static async Task RunAsync(RecommendationPipeline pipeline, ILogger logger, CancellationToken cancellationToken)
    {
        var active = pipeline.Version;
        var config = active.Config with
        {
            CountServedImpressions = false,
            Surfaces = [.. active.Config.Surfaces.Select(s => s with { RecordImpressions = false })],
        };
        var quiet = active.With(config.WithSourceBudget(TimeSpan.FromSeconds(10)), pipeline.Catalog);
        try
        {
            long? anyItem = AnyItem(pipeline);
            for (int round = 0; round < Rounds; round++)
            {
                foreach (var surface in config.Surfaces)
                {
                    var request = new RecommendRequest
                    {
                        UserId = Services.RecommenderService.AnonymousUser,
                        Surface = surface.Name,
                        K = surface.DefaultK,
                        QueryText = "warm up",
                        ItemId = anyItem,
                    };
                    try
                    {
                        await pipeline.RecommendAsync(request, quiet, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        if (round == 0)
                            LogSkipped(logger, surface.Name, e.Message);
                    }
                }
            }
        }
        finally
        {
            quiet.Retire();
        }
    }

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "warm-up of surface {Surface} failed and was skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string surface, string reason);

    /// <summary>An available catalog item (the item-page surface needs one), or null for an empty catalog.</summary>
    private static long? AnyItem(RecommendationPipeline pipeline)
    {
        var catalog = pipeline.Catalog;
        for (int o = 0; o < catalog.Length; o++)
        {
            if (!catalog.IsUnavailable(o))
                return catalog.Items.ExternalId(o);
        }
        return null;
    }
}
