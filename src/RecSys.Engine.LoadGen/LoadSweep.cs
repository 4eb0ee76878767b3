namespace RecSys.Engine.LoadGen;

/// <summary>Runs <see cref="LoadOptions.SweepRates"/> one after another, rising, and stops after the first run that fails the first SLO.</summary>
public static class LoadSweep
{
    public static async Task<SweepReport> RunAsync(LoadOptions options, Action<LoadReport>? stepDone = null, CancellationToken cancellationToken = default)
    {
        var rates = options.SweepRates ?? throw new ArgumentException("not a sweep: SweepRates is null", nameof(options));
        var steps = new List<LoadReport>();
        double best = 0;
        foreach (double rate in rates)
        {
            var report = await LoadGenerator.RunAsync(options, rate, cancellationToken).ConfigureAwait(false);
            steps.Add(report);
            stepDone?.Invoke(report);
            if (!report.Passed)
                break; // past the knee: higher rates only queue more
            best = rate;
        }
        return new SweepReport { SloMs = options.PrimarySloMs, MaxPassingRateRps = best, Steps = steps };
    }
}
