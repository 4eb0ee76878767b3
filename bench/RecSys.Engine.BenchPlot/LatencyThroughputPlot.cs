using System.Globalization;
using ScottPlot;

namespace RecSys.Engine.BenchPlot;

/// <summary>
/// Latency against achieved throughput for load sweeps (one point per rate): p50, p99 and p99.9 per sweep, and a
/// dashed line at each SLO. Used by BenchPlot on sweep JSON files and by bench/RecSys.Engine.LoadTest --plot.
/// </summary>
public static class LatencyThroughputPlot
{
    /// <summary>One sweep: per step, the achieved throughput (req/s) and the latency percentiles (ms).</summary>
    public sealed record Series(string Label, double[] ThroughputRps, double[] P50Ms, double[] P99Ms, double[] P999Ms);

    public static void Save(string path, string title, IReadOnlyList<Series> sweeps, IReadOnlyList<double> sloMs)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int s = 0;
        foreach (var sweep in sweeps)
        {
            var color = palette.GetColor(s++);
            string prefix = sweep.Label.Length == 0 ? "" : sweep.Label + " ";
            Add(plot, sweep.ThroughputRps, sweep.P50Ms, prefix + "p50", color, LinePattern.Dotted);
            Add(plot, sweep.ThroughputRps, sweep.P99Ms, prefix + "p99", color, LinePattern.Solid);
            Add(plot, sweep.ThroughputRps, sweep.P999Ms, prefix + "p99.9", color, LinePattern.Dashed);
        }
        foreach (double slo in sloMs)
        {
            var line = plot.Add.HorizontalLine(Math.Log10(slo));
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Gray;
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"SLO {slo:0.###} ms");
        }
        plot.Title(title);
        plot.XLabel("throughput, answered requests per second");
        plot.YLabel("latency from the scheduled send, ms (log)");
        // Log10 of milliseconds: the tail past saturation is orders of magnitude above the median.
        PlotFiles.LogLeftAxis(plot, "0.###");
        plot.ShowLegend(Alignment.UpperLeft);
        PlotFiles.SavePng(plot, path);
    }

    private static void Add(Plot plot, double[] x, double[] ms, string label, Color color, LinePattern pattern)
    {
        // A 0 ms percentile (an empty step) has no logarithm: floor it at a microsecond.
        var scatter = plot.Add.Scatter(x, ms.Select(v => Math.Log10(Math.Max(v, 0.001))).ToArray());
        scatter.LegendText = label;
        scatter.Color = color;
        scatter.LinePattern = pattern;
        scatter.MarkerSize = 7;
        scatter.LineWidth = 2;
    }
}
