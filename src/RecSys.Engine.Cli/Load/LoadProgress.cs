using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Cli.Load;

/// <summary>An embedding import's progress on stderr: rows read so far (of the total when the file says), then a bar for the index build and one for copying the base version.</summary>
internal sealed class LoadProgress(TextWriter log, long? totalRows) : IProgress<EmbeddingImportProgress>
{
    private readonly Dictionary<string, Commands.StderrProgress> _bars = [];

    public void Report(EmbeddingImportProgress value)
    {
        switch (value.Stage)
        {
            case "rows" when totalRows is > 0:
                Bar("reading rows").Report(value.Done / (double)totalRows.Value);
                break;
            case "rows":
                log.WriteLine($"reading rows: {value.Done} taken");
                break;
            default:
                Bar(value.Stage == "index" ? "building the index" : "copying the base version").Report(value.Total == 0 ? 1 : value.Done / (double)value.Total);
                break;
        }
    }

    private Commands.StderrProgress Bar(string label)
    {
        if (!_bars.TryGetValue(label, out var bar))
            _bars[label] = bar = new Commands.StderrProgress(log, label);
        return bar;
    }
}
