using System.Diagnostics;
using System.Globalization;

namespace RecSys.Engine.Cli.Demo;

/// <summary>
/// Numbered steps on stderr ("[2/5] training ALS ... done in 12.4 s"). A step without progress of its own shows its
/// elapsed seconds: on a terminal one line redrawn every second, in a log (stderr redirected) a line every 15 s, so a
/// long step never looks hung. A step with progress gets a <see cref="Commands.StderrProgress"/> bar instead.
/// </summary>
internal sealed class StepClock(TextWriter log, int steps)
{
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private readonly bool _interactive = ReferenceEquals(log, Console.Error) && !Console.IsErrorRedirected;
    private int _step;

    public TimeSpan Elapsed => _total.Elapsed;

    /// <summary>Runs a step that reports its own progress (0..1).</summary>
    public async Task<T> RunAsync<T>(string label, Func<IProgress<double>, Task<T>> step)
    {
        string title = Begin(label);
        var clock = Stopwatch.StartNew();
        var result = await step(new Commands.StderrProgress(log, title)).ConfigureAwait(false);
        End(title, clock);
        return result;
    }

    /// <summary>Runs a step with no progress of its own: the elapsed time stands in.</summary>
    public async Task<T> RunAsync<T>(string label, Func<Task<T>> step)
    {
        string title = Begin(label);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var ticker = TickAsync(title, clock, stop.Token);
        try
        {
            return await step().ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await ticker.ConfigureAwait(false);
            End(title, clock);
        }
    }

    private string Begin(string label)
    {
        string title = $"[{++_step}/{steps}] {label}";
        if (!_interactive)
            log.WriteLine($"{title} ...");
        return title;
    }

    private void End(string title, Stopwatch clock)
    {
        string done = string.Create(CultureInfo.InvariantCulture, $"{title}: done in {clock.Elapsed.TotalSeconds:F1} s");
        log.WriteLine(_interactive ? $"\r{done}\u001b[K" : done);
        log.Flush();
    }

    private async Task TickAsync(string title, Stopwatch clock, CancellationToken stop)
    {
        var period = _interactive ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(15);
        using var timer = new PeriodicTimer(period);
        if (_interactive)
            log.Write($"{title} ...");
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                int seconds = (int)clock.Elapsed.TotalSeconds;
                if (_interactive)
                    log.Write($"\r{title} ... {seconds} s");
                else
                    log.WriteLine($"{title}: {seconds} s");
                log.Flush();
            }
        }
        catch (OperationCanceledException)
        {
            // the step finished
        }
    }
}
