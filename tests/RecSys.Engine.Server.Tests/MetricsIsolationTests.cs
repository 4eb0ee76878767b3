using System.Globalization;
using System.Text.RegularExpressions;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// Two servers in one process each scrape their own counters. OpenTelemetry matches meters by name across the
/// process, so without the server's view both scrapes would export one stream fed by both servers' callbacks.
/// </summary>
public sealed class MetricsIsolationTests
{
    [Fact]
    public async Task Each_server_in_a_process_exports_its_own_pipeline_counters()
    {
        await using var counted = await ServerRig.StartAsync();
        await using var other = await ServerRig.StartAsync();
        var shown = await counted.RecommendAsync(6);
        await counted.Recommender.RecordEventsBatchAsync(new RecordEventsRequest
        {
            Events =
            {
                new Event { User = ServerRig.UserId(6), Item = shown.Items[0].Item, Type = EventType.Impression, Value = 42, Time = counted.Now },
                new Event { User = ServerRig.UserId(6), Item = shown.Items[1].Item, Type = EventType.Impression, Value = 43, Time = counted.Now },
            },
        }, TestKeys.Write);
        Assert.Equal(2, counted.Harness.Pipeline.Stats.ImpressionsWithoutSurface);
        Assert.Equal(0, other.Harness.Pipeline.Stats.ImpressionsWithoutSurface);

        using var http = new HttpClient();
        Assert.Equal(2, Scraped(await http.GetStringAsync(counted.Server.MetricsAddress)));
        Assert.Equal(0, Scraped(await http.GetStringAsync(other.Server.MetricsAddress)));
    }

    private static long Scraped(string text)
    {
        var lines = Regex.Matches(text, @"^recsys_pipeline_impressions_without_surface_total\{[^}]*\} (\d+)", RegexOptions.Multiline);
        return Assert.Single(lines).Groups[1].Value is var v ? long.Parse(v, CultureInfo.InvariantCulture) : -1;
    }
}
