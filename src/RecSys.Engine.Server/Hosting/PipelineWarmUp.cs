using Microsoft.Extensions.Logging;
using RecSys.Engine.Pipeline;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Requests through every surface before the port opens, so the first clients do not pay for JIT compilation and
/// cold pages: a cold request can take several times the sources' 50 ms budgets, and a source past its budget is
/// dropped, so the first answers of an unwarmed server can be empty. The requests run on a version derived from the
/// active one that records nothing (no impressions, no served-impression counts), with budgets long enough for every
/// source to finish; they count in the pipeline's request statistics only. They are asked for an anonymous user (the
/// cold-start sources) and for a few trained users (read only: their CF vectors and histories drive the ANN sources,
/// item-to-item and fold-in, the code a real user's request runs and an anonymous one never reaches), for enough
/// rounds that the hot methods pass tiered compilation's call count (30) and get their optimised code queued before
/// the first client arrives (bench/results/slo-stall.md: without it, the first seconds of load ran on tier-0 code while
/// the JIT recompiled thousands of methods, a ~1 s stall on 2 cores).
/// </summary>
internal static partial class PipelineWarmUp
{
    /// <summary>Rounds over the surfaces and users: past the JIT's tier-1 call count of 30 for the per-request methods.</summary>
    private const int Rounds = 32;

    /// <summary>Trained users asked for besides the anonymous one (spread over the user ids).</summary>
    private const int KnownUsers = 3;

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
            long[] users = Users(active.Models.AlsUsers);
            for (int round = 0; round < Rounds; round++)
            {
                foreach (var surface in config.Surfaces)
                {
                    var request = new RecommendRequest
                    {
                        UserId = users[round % users.Length],
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

    /// <summary>The anonymous user and up to <see cref="KnownUsers"/> trained ones, spread over the model's users.</summary>
    private static long[] Users(Models.Data.CatalogIdMap? trained)
    {
        int n = trained is null ? 0 : Math.Min(KnownUsers, trained.Count);
        var users = new long[n + 1];
        users[0] = Services.RecommenderService.AnonymousUser;
        for (int i = 0; i < n; i++)
            users[i + 1] = trained!.ExternalId((int)((long)trained.Count * i / n));
        return users;
    }

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
