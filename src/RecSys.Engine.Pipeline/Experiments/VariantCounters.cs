namespace RecSys.Engine.Pipeline.Experiments;

/// <summary>
/// Live counters of one variant, updated by the pipeline without locks and readable at any time:
/// requests answered, impressions (items returned), clicks attributed to them (click or purchase events carrying the
/// request id of a response of this variant, each shown item counted once), and the click-through rate.
/// </summary>
public sealed class VariantCounters(string experiment, string variant, double share)
{
    internal long _requests;
    internal long _impressions;
    internal long _clicks;

    public string Experiment { get; } = experiment;

    public string Variant { get; } = variant;

    public double Share { get; } = share;

    public long Requests => Interlocked.Read(ref _requests);

    public long Impressions => Interlocked.Read(ref _impressions);

    public long Clicks => Interlocked.Read(ref _clicks);

    /// <summary>Clicks / impressions (0 before the first impression).</summary>
    public double ClickThroughRate
    {
        get
        {
            long impressions = Impressions;
            return impressions == 0 ? 0 : (double)Clicks / impressions;
        }
    }

    public override string ToString() =>
        $"{Experiment}/{Variant}: {Requests} requests, {Impressions} impressions, {Clicks} clicks, CTR {ClickThroughRate:P2}";
}
