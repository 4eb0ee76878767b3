namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// A progress display for long phases. On a terminal it redraws one line with <c>\r</c>; when
/// stderr is redirected (CI logs, tests) it writes one plain line per 10 % instead, so logs
/// stay readable. Thread-safe: workers may report concurrently and slightly out of order.
/// </summary>
internal sealed class StderrProgress : IProgress<double>
{
    private const int BarWidth = 30;

    private readonly TextWriter _writer;
    private readonly string _label;
    private readonly bool _interactive;
    private readonly Lock _lock = new();
    private int _shown; // permille on a terminal, tenths otherwise; starts at 0 so a log gets no "0%" line

    public StderrProgress(TextWriter writer, string label)
    {
        _writer = writer;
        _label = label;
        // Only the real console can be redrawn; any other writer is a log.
        _interactive = ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;
    }

    public void Report(double value)
    {
        double fraction = Math.Clamp(value, 0, 1);
        lock (_lock)
        {
            if (_interactive)
            {
                int permille = (int)(fraction * 1000);
                if (permille <= _shown && _shown > 0)
                    return;
                _shown = permille;
                int filled = permille * BarWidth / 1000;
                _writer.Write($"\r{_label} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {permille / 10.0,5:F1}%");
                if (permille == 1000)
                    _writer.WriteLine();
            }
            else
            {
                int tenths = (int)(fraction * 10);
                if (tenths <= _shown)
                    return;
                _shown = tenths;
                _writer.WriteLine($"{_label}: {tenths * 10}%");
            }
            _writer.Flush();
        }
    }
}
