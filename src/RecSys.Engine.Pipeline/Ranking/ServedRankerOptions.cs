using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Models.Ranking.Gbdt;

namespace RecSys.Engine.Pipeline.Ranking;

/// <summary>Settings of <see cref="ServedRankerTrainer"/>: which ranker, how many users' requests make its rows, how they are labelled.</summary>
public sealed record ServedRankerOptions
{
    public RankerKind Kind { get; init; } = RankerKind.Mlp;

    /// <summary>The surface whose requests make the rows (its sources are the schema's source block).</summary>
    public string Surface { get; init; } = "home";

    /// <summary>
    /// Users whose requests make the rows (spread evenly over the users with held-out events). Each request brings
    /// every candidate that survived the filters (hundreds on the home surface), so a few hundred users give ample rows.
    /// </summary>
    public int MaxUsers { get; init; } = 400;

    /// <summary>Share of each user's events the sources are fitted on; the rest are the labels.</summary>
    public double FitFraction { get; init; } = 0.75;

    /// <summary>Share of the queries held back for early stopping (and the reported validation NDCG).</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Request time of the recording requests (ms since the epoch); null = a day after the last event.</summary>
    public long? NowMs { get; init; }

    /// <summary>Index factory strings of the fit-part pipeline (the serving version's, so its sources behave the same).</summary>
    public string CfIndex { get; init; } = "HNSW16,efc200";

    public string ContentIndex { get; init; } = "HNSW16,efc200";

    /// <summary>Publish times of the items (as the serving store is seeded with), for the item-age features.</summary>
    public Func<int, long>? PublishedAtMs { get; init; }

    /// <summary>Small by default: the rows are plenty, and the demo must start in seconds.</summary>
    public MlpTrainingOptions Mlp { get; init; } = new() { Hidden = [32], MaxEpochs = 12, Patience = 3 };

    /// <summary>Small trees (as RankerTrainingOptions' default: larger ones overfit a few hundred queries).</summary>
    public GbdtOptions Gbdt { get; init; } = new() { NumLeaves = 7, MinDataInLeaf = 50 };

    public ulong Seed { get; init; } = 42;

    /// <summary>Receives the training log; null is silent.</summary>
    public Action<string>? Log { get; init; }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxUsers, 2, nameof(MaxUsers));
        if (!Enum.IsDefined(Kind))
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown ranker");
        if (!(FitFraction > 0 && FitFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(FitFraction), $"must be in (0, 1), got {FitFraction}");
        if (!(ValidationFraction > 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), $"must be in (0, 1), got {ValidationFraction}");
        Mlp.Validate();
        Gbdt.Validate();
    }
}
