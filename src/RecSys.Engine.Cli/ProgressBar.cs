using System.Diagnostics;

namespace RecSys.Engine.Cli;

/// <summary>
/// Progress for long work on stderr: a redrawn bar on a terminal, or a plain line every 10% when
/// stderr is redirected (logs and CI stay readable).
/// </summary>
internal sealed class ProgressBar
{
    private readonly TextWriter _out;
    private readonly string _label;
    private readonly long _total;
    private readonly bool _interactive;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _lastDecile = -1;
    private long _lastDrawTicks;

    public ProgressBar(TextWriter output, string label, long total)
    {
        _out = output;
        _label = label;
        _total = total;
        _interactive = ReferenceEquals(output, Console.Error) && !Console.IsErrorRedirected;
    }

    public void Report(long done)
    {
        if (_total <= 0)
            return;
        double fraction = Math.Clamp((double)done / _total, 0, 1);
        if (_interactive)
        {
            if (_clock.ElapsedTicks - _lastDrawTicks < Stopwatch.Frequency / 10)
                return;
            _lastDrawTicks = _clock.ElapsedTicks;
            int width = 30;
            int filled = (int)(fraction * width);
            _out.Write($"\r{_label} [{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,5:F1}% {_clock.Elapsed.TotalSeconds,6:F1}s");
        }
        else
        {
            int decile = (int)(fraction * 10);
            if (decile > _lastDecile && decile < 10)
            {
                _lastDecile = decile;
                _out.WriteLine($"{_label}: {decile * 10}% ({done:N0}/{_total:N0}, {_clock.Elapsed.TotalSeconds:F1}s)");
            }
        }
    }

    public void Done(long done)
    {
        if (_interactive)
            _out.Write('\r');
        _out.WriteLine($"{_label}: done, {done:N0} in {_clock.Elapsed.TotalSeconds:F1}s{(_interactive ? new string(' ', 30) : "")}");
    }
}
