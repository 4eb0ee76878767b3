using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// The request path's stage latencies as a System.Diagnostics.Metrics histogram (meter <see cref="MeterName"/>,
/// instrument recsys.pipeline.stage.duration, seconds, tag "stage"): user_context, sources, merge_filter, rank, post.
/// Per source (instrument recsys.pipeline.source.duration, tags "source" and "phase"): "wait", from when the request
/// scheduled the source to when it began (the thread pool's queue when sources run in parallel), and "run", the source
/// itself; the sources stage's tail is one of the two, in one of the sources, and this says which.
/// A host exports them (the server: OpenTelemetry to Prometheus); with no listener a record is a flag test, so the
/// request path stays allocation-free.
/// </summary>
public static class PipelineMetrics
{
    /// <summary>The meter to add to a MeterProvider.</summary>
    public const string MeterName = "RecSys.Engine.Pipeline";

    private static readonly Meter s_meter = new(MeterName);

    private static readonly Histogram<double> s_stage = s_meter.CreateHistogram<double>("recsys.pipeline.stage.duration", "s",
        "Latency of each stage of a recommendation", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
        });

    private static readonly Histogram<double> s_source = s_meter.CreateHistogram<double>("recsys.pipeline.source.duration", "s",
        "Time each candidate source waited to begin (phase wait) and ran (phase run)", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
        });

    /// <summary>Records one source run of one request: <paramref name="waitTicks"/> before it began, <paramref name="runTicks"/> running.</summary>
    internal static void Source(string source, long waitTicks, long runTicks)
    {
        if (!s_source.Enabled)
            return;
        var name = new KeyValuePair<string, object?>("source", source);
        s_source.Record(waitTicks / (double)Stopwatch.Frequency, name, new KeyValuePair<string, object?>("phase", "wait"));
        s_source.Record(runTicks / (double)Stopwatch.Frequency, name, new KeyValuePair<string, object?>("phase", "run"));
    }

    /// <summary>Records stage <paramref name="stage"/> as started at <paramref name="start"/>; returns now, the next stage's start.</summary>
    internal static long Stage(string stage, long start)
    {
        long now = Stopwatch.GetTimestamp();
        if (s_stage.Enabled)
            s_stage.Record(Stopwatch.GetElapsedTime(start, now).TotalSeconds, new KeyValuePair<string, object?>("stage", stage));
        return now;
    }
}
