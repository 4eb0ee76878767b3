namespace RecSys.Engine.LoadGen;

/// <summary>Runs <see cref="LoadOptions.SweepRates"/> one after another, rising, and stops after the first run that fails the first SLO.</summary>
public static class LoadSweep
{
    public static async Task<SweepReport> RunAsync(LoadOptions options, Action<LoadReport>? stepDone = null, CancellationToken cancellationToken = default)
    {
        var rates = options.SweepRates ?? throw new ArgumentException("not a sweep: SweepRates is null", nameof(options));
        var steps = new List<LoadReport>();
        double best = 0;
        long deleteIdsUsed = 0;
        foreach (double rate in rates)
        {
            // Each run's deletes start past the ids every earlier run could have deleted: no item is deleted twice.
            var step = options.DeleteIds is { } d ? options with { DeleteIds = new IdRange(d.First + deleteIdsUsed, d.Last) } : options;
            deleteIdsUsed += options.Scheduled(rate);
            var report = await LoadGenerator.RunAsync(step, rate, cancellationToken).ConfigureAwait(false);
            steps.Add(report);
            stepDone?.Invoke(report);
            if (!report.Passed)
                break; // past the knee: higher rates only queue more
            best = rate;
        }
        return new SweepReport { SloMs = options.PrimarySloMs, MaxPassingRateRps = best, Steps = steps };
    }
}
