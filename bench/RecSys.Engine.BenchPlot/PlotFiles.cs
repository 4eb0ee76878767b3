using System.Globalization;
using ScottPlot;

namespace RecSys.Engine.BenchPlot;

/// <summary>What every BenchPlot figure shares: a log10 value axis labelled in plain numbers, and the PNG written at one size.</summary>
public static class PlotFiles
{
    /// <summary>
    /// The left axis holds log10 of the values (ScottPlot plots linear coordinates): ticks at whole powers of ten, labelled
    /// with the value itself in <paramref name="format"/>, log-spaced minor ticks between.
    /// </summary>
    public static void LogLeftAxis(Plot plot, string format) =>
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = y => Math.Pow(10, y).ToString(format, CultureInfo.InvariantCulture),
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
        };

    /// <summary>Writes <paramref name="plot"/> as a 1000 x 650 PNG, creating the folder.</summary>
    public static void SavePng(Plot plot, string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        plot.SavePng(path, 1000, 650);
    }
}
