using System.Text.Json;
using ScottPlot;

// Usage: BenchPlot --json a.json,b.json --out plot.png [--title TEXT] [--min-recall 0.8]
// Each JSON file is an array of `recsys bench ann` rows; one line per (file label, index), points
// ordered by recall. A file may be named "label=path" to prefix its series (e.g. "1M=bench-1m.json").
var options = ParseArgs(args);
if (!options.TryGetValue("--json", out string? jsonList) || !options.TryGetValue("--out", out string? outPath))
{
    Console.Error.WriteLine("usage: BenchPlot --json a.json[,label=b.json] --out plot.png [--title TEXT] [--min-recall R]");
    return 2;
}
double minRecall = options.TryGetValue("--min-recall", out string? mr) ? double.Parse(mr, System.Globalization.CultureInfo.InvariantCulture) : 0;

var plot = new Plot();
var palette = new ScottPlot.Palettes.Category10();
int series = 0;
foreach (string entry in jsonList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
{
    string label = "", path = entry;
    int eq = entry.IndexOf('=');
    if (eq > 0)
    {
        label = entry[..eq] + " ";
        path = entry[(eq + 1)..];
    }
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"--json: '{path}' does not exist");
        return 2;
    }
    using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
    var rows = doc.RootElement.EnumerateArray()
        .Select(r => (Index: r.GetProperty("index").GetString() ?? "?", Recall: r.GetProperty("recall_at_10").GetDouble(), Qps: r.GetProperty("qps_1thread").GetDouble()))
        .Where(r => r.Recall >= minRecall && r.Qps > 0)
        .ToList();
    foreach (var group in rows.GroupBy(r => r.Index))
    {
        var points = group.OrderBy(r => r.Recall).ToArray();
        // Log10 of QPS: the exact index sits two to three orders of magnitude below the graphs.
        var scatter = plot.Add.Scatter(points.Select(p => p.Recall).ToArray(), points.Select(p => Math.Log10(p.Qps)).ToArray());
        scatter.LegendText = label + group.Key;
        scatter.Color = palette.GetColor(series++);
        scatter.MarkerSize = 8;
        scatter.LineWidth = 2;
    }
}

var ticks = new ScottPlot.TickGenerators.NumericAutomatic
{
    MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
    IntegerTicksOnly = true,
    LabelFormatter = y => $"{Math.Pow(10, y):N0}",
};
plot.Axes.Left.TickGenerator = ticks;
plot.Axes.Left.Label.Text = "queries per second, 1 thread (log)";
plot.Axes.Bottom.Label.Text = "recall@10";
plot.Title(options.GetValueOrDefault("--title") ?? "recall vs QPS");
plot.ShowLegend(Alignment.LowerLeft);
string? dir = Path.GetDirectoryName(Path.GetFullPath(outPath));
if (dir is not null)
    Directory.CreateDirectory(dir);
plot.SavePng(outPath, 1000, 650);
Console.WriteLine($"wrote {outPath}");
return 0;

static Dictionary<string, string> ParseArgs(string[] args)
{
    var d = new Dictionary<string, string>();
    for (int i = 0; i + 1 < args.Length; i += 2)
        d[args[i]] = args[i + 1];
    return d;
}
