using System.Text.Json;
using ScottPlot;

// recall-vs-QPS plot of `recsys bench ann --json` rows:
//   dotnet run --project bench/RecSys.Engine.Plots -- --out plot.png --title "..." run1.json [run2.json ...]
// One series per index and build (and, for ivfpq, per refine depth); QPS on a log10 axis.
string? output = null;
string title = "recall@10 vs single-thread QPS";
bool fromMedian = false; // --qps-from p50: 1e6 / median latency, steadier than the mean on a shared machine
var inputs = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out": output = args[++i]; break;
        case "--title": title = args[++i]; break;
        case "--qps-from": fromMedian = args[++i] == "p50"; break;
        default: inputs.Add(args[i]); break;
    }
}
if (output is null || inputs.Count == 0)
{
    Console.Error.WriteLine("usage: --out FILE.png [--title TEXT] [--qps-from mean|p50] bench1.json [bench2.json ...]");
    return 2;
}

var series = new SortedDictionary<string, List<(double Recall, double Qps)>>(StringComparer.Ordinal);
foreach (string file in inputs)
{
    using var doc = JsonDocument.Parse(File.ReadAllText(file));
    foreach (var row in doc.RootElement.EnumerateArray())
    {
        string index = row.GetProperty("index").GetString()!;
        string param = row.GetProperty("params").GetString()!;
        string name = SeriesName(index, param);
        if (!series.TryGetValue(name, out var points))
            series[name] = points = [];
        double p50 = row.GetProperty("p50_us").GetDouble();
        double qps = fromMedian && p50 > 0 ? 1e6 / p50 : row.GetProperty("qps_1thread").GetDouble();
        points.Add((row.GetProperty("recall_at_10").GetDouble(), qps));
    }
}

var plot = new Plot();
var palette = new ScottPlot.Palettes.Category10();
int s = 0;
foreach (var (name, points) in series)
{
    var sorted = points.ToArray(); // row order: nprobe (or ef) ascending along each curve
    var scatter = plot.Add.Scatter(sorted.Select(p => p.Recall).ToArray(), sorted.Select(p => Math.Log10(p.Qps)).ToArray());
    scatter.LegendText = name;
    scatter.Color = palette.GetColor(s++);
    scatter.MarkerSize = 8;
    scatter.LineWidth = 2;
}
plot.Title(title);
plot.XLabel("recall@10");
plot.YLabel(fromMedian ? "queries per second, one thread, 1e6 / p50 latency (log)" : "queries per second, one thread (log scale)");
plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
{
    LabelFormatter = y => Math.Pow(10, y).ToString("N0"),
    MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
    IntegerTicksOnly = true,
};
plot.ShowLegend(Alignment.LowerLeft);
plot.SavePng(output, 1000, 650);
Console.WriteLine($"wrote {output} ({series.Count} series)");
return 0;

static string SeriesName(string index, string param)
{
    // ivfpq rows carry nprobe and refine; the curve is per build and refine depth, nprobe runs along it.
    var parts = param.Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Where(p => !p.StartsWith("nprobe=") && !p.StartsWith("ef=") && !p.StartsWith("train_s=") && !p.StartsWith("add_s=") && !p.StartsWith("kernel="))
        .ToArray();
    return parts.Length == 0 ? index : $"{index} {string.Join(",", parts)}";
}
