using System.Globalization;
using System.Text.Json;
using RecSys.Engine.BenchPlot;
using ScottPlot;

// recall-vs-QPS plot of `recsys bench ann --json` rows:
//   dotnet run --project bench/RecSys.Engine.BenchPlot -c Release -- --out plot.png [--title TEXT]
//       [--min-recall R] [--qps-from mean|p50] a.json [label=b.json ...]
// (`--json a.json,label=b.json` is the same list, comma-separated.) A file named "label=path"
// prefixes its series with the label (e.g. "1M=bench-1m.json"). One series per (label, index,
// build parameters); ef and nprobe run along each curve; QPS on a log10 axis.
// Sweep files of `recsys bench load --sweep --json` (an object with "steps") plot latency against throughput instead.
string? output = null;
string? title = null;
double minRecall = 0;
bool fromMedian = false; // --qps-from p50: 1e6 / median latency, steadier than the mean on a shared machine
var inputs = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    string arg = args[i];
    if (arg.StartsWith("--", StringComparison.Ordinal) && i + 1 >= args.Length)
        return Usage($"{arg} needs a value");
    switch (arg)
    {
        case "--out": output = args[++i]; break;
        case "--title": title = args[++i]; break;
        case "--json": inputs.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
        case "--qps-from": fromMedian = args[++i] == "p50"; break;
        case "--min-recall":
            if (!double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out minRecall))
                return Usage($"--min-recall: '{args[i]}' is not a number");
            break;
        default:
            if (arg.StartsWith("--", StringComparison.Ordinal))
                return Usage($"unknown option {arg}");
            inputs.Add(arg);
            break;
    }
}
if (output is null || inputs.Count == 0)
    return Usage("--out and at least one JSON file are required");

if (inputs.Any(IsSweep))
{
    var sweeps = new List<LatencyThroughputPlot.Series>();
    var slos = new SortedSet<double>();
    foreach (string entry in inputs)
    {
        var (label, path) = Labelled(entry);
        if (!File.Exists(path) || !IsSweep(entry))
            return Usage($"'{path}' is not a sweep JSON file (recsys bench load --sweep --json); do not mix it with bench ann files");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        slos.Add(doc.RootElement.GetProperty("slo_ms").GetDouble());
        var steps = doc.RootElement.GetProperty("steps").EnumerateArray().ToArray();
        double[] Field(string name) => steps.Select(st => st.GetProperty(name).GetDouble()).ToArray();
        sweeps.Add(new(label.Trim(), Field("throughput_rps"), Field("p50_ms"), Field("p99_ms"), Field("p999_ms")));
    }
    LatencyThroughputPlot.Save(output, title ?? "latency vs throughput", sweeps, slos.ToArray());
    Console.WriteLine($"wrote {output} ({sweeps.Count} sweeps)");
    return 0;
}

var series = new SortedDictionary<string, List<(double Recall, double Qps)>>(StringComparer.Ordinal);
foreach (string entry in inputs)
{
    var (label, path) = Labelled(entry);
    if (!File.Exists(path))
        return Usage($"'{path}' does not exist");
    using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
    foreach (var row in doc.RootElement.EnumerateArray())
    {
        string index = row.GetProperty("index").GetString() ?? "?";
        string param = row.TryGetProperty("params", out var p) ? p.GetString() ?? "" : "";
        double recall = row.GetProperty("recall_at_10").GetDouble();
        double qps = row.GetProperty("qps_1thread").GetDouble();
        if (fromMedian && row.TryGetProperty("p50_us", out var p50) && p50.GetDouble() > 0)
            qps = 1e6 / p50.GetDouble();
        if (recall < minRecall || qps <= 0)
            continue;
        string name = label + SeriesName(index, param);
        if (!series.TryGetValue(name, out var points))
            series[name] = points = [];
        points.Add((recall, qps));
    }
}

var plot = new Plot();
var palette = new ScottPlot.Palettes.Category10();
int s = 0;
foreach (var (name, points) in series)
{
    var sorted = points.OrderBy(p => p.Recall).ToArray();
    var scatter = plot.Add.Scatter(sorted.Select(p => p.Recall).ToArray(), sorted.Select(p => Math.Log10(p.Qps)).ToArray());
    scatter.LegendText = name;
    scatter.Color = palette.GetColor(s++);
    scatter.MarkerSize = 8;
    scatter.LineWidth = 2;
}
plot.Title(title ?? "recall@10 vs single-thread QPS");
plot.XLabel("recall@10");
plot.YLabel(fromMedian ? "queries per second, one thread, 1e6 / p50 latency (log)" : "queries per second, one thread (log)");
// Log10 of QPS: the exact index sits two to three orders of magnitude below the graphs.
PlotFiles.LogLeftAxis(plot, "N0");
plot.ShowLegend(Alignment.LowerLeft);
PlotFiles.SavePng(plot, output);
Console.WriteLine($"wrote {output} ({series.Count} series)");
return 0;

static int Usage(string why)
{
    Console.Error.WriteLine($"BenchPlot: {why}");
    Console.Error.WriteLine("usage: --out FILE.png [--title TEXT] [--min-recall R] [--qps-from mean|p50] a.json [label=b.json ...]");
    return 2;
}

static (string Label, string Path) Labelled(string entry)
{
    int eq = entry.IndexOf('=');
    return eq > 0 ? (entry[..eq] + " ", entry[(eq + 1)..]) : ("", entry);
}

static bool IsSweep(string entry)
{
    string path = Labelled(entry).Path;
    if (!File.Exists(path))
        return false;
    try
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("steps", out _);
    }
    catch (JsonException)
    {
        return false;
    }
}

static string SeriesName(string index, string param)
{
    // Search-time parameters (ef, nprobe) and timings run along a curve; the rest names the build.
    var parts = param.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Where(p => !p.StartsWith("nprobe=", StringComparison.Ordinal) && !p.StartsWith("ef=", StringComparison.Ordinal)
            && !p.StartsWith("train_s=", StringComparison.Ordinal) && !p.StartsWith("add_s=", StringComparison.Ordinal)
            && !p.StartsWith("kernel=", StringComparison.Ordinal))
        .ToArray();
    return parts.Length == 0 ? index : $"{index} {string.Join(",", parts)}";
}
