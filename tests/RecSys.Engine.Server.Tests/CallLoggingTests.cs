using Microsoft.Extensions.Logging;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// Server:LogCalls: ASP.NET Core's and gRPC's per-call lines are off by default (they cost CPU on every call) and on
/// when asked for; the server's own lines are there either way.
/// </summary>
public sealed class CallLoggingTests
{
    private static bool IsPerCallLine((LogLevel Level, string Category, string Message) e) =>
        e.Level < LogLevel.Warning && (e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || e.Category.StartsWith("Grpc.AspNetCore.Server", StringComparison.Ordinal));

    [Fact]
    public async Task By_default_a_call_writes_no_per_call_lines_but_the_server_still_logs_its_own()
    {
        await using var rig = await ServerRig.StartAsync();
        Assert.Equal(10, (await rig.RecommendAsync(1)).Items.Count);
        Assert.DoesNotContain(rig.Logs.Entries, IsPerCallLine);
        Assert.Contains(rig.Logs.Entries, e => e.Category.StartsWith("RecSys.Engine", StringComparison.Ordinal) && e.Message.Contains("listening", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_LogCalls_a_call_writes_the_framework_lines()
    {
        await using var rig = await ServerRig.StartAsync(o => o with { LogCalls = true });
        Assert.Equal(10, (await rig.RecommendAsync(1)).Items.Count);
        await WaitForAsync(() => rig.Logs.Entries.Any(e => IsPerCallLine(e) && e.Message.Contains("/recsys.v1.Recommender/Recommend", StringComparison.Ordinal)));
    }

    // "Request finished" is logged after the response is sent, so the client can see the answer first.
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "no per-call line logged within 30 s");
            await Task.Delay(20);
        }
    }
}
