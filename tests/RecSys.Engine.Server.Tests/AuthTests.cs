using System.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Logging;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Auth;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>API keys and roles: who may call what, and what answers without a key.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class AuthTests(SharedServer shared)
{
    private ServerRig Rig => shared.Rig;

    private Api.V1.RecommendRequest Request => new() { User = ServerRig.UserId(2), K = 3, Context = new RecommendContext { Now = Rig.Now } };

    [Fact]
    public async Task A_missing_or_wrong_key_is_unauthenticated()
    {
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, null, () => Rig.Recommender.RecommendAsync(Request));
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, null, () => Rig.Recommender.RecommendAsync(Request, TestKeys.Headers("not-a-key-0123456789")));
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, null, () => Rig.Recommender.RecommendAsync(Request, TestKeys.Headers(TestKeys.Reader + "x")));
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, null, () => Rig.Recommender.RecommendAsync(Request, new Metadata { { "authorization", "Bearer " } }));
    }

    [Fact]
    public async Task A_bearer_token_is_accepted_as_well()
    {
        var response = await Rig.Recommender.RecommendAsync(Request, new Metadata { { "authorization", "Bearer " + TestKeys.Reader } });
        Assert.Equal(3, response.Items.Count);
    }

    [Fact]
    public async Task A_key_without_the_method_s_role_is_permission_denied()
    {
        var events = new RecordEventsRequest { Events = { new Event { User = new Id { Num = 880_070 }, Item = ServerRig.ItemId(1), Type = EventType.Click } } };
        var e = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, null, () => Rig.Recommender.RecordEventsBatchAsync(events, TestKeys.Headers(TestKeys.Reader)));
        Assert.Contains("Write", e.Status.Detail);
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, null, () => Rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.Headers(TestKeys.Writer)));
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, null, () => Rig.Recommender.RecommendAsync(Request, TestKeys.Headers(TestKeys.Admin)));
        Assert.Empty(await Rig.Harness.Store.GetRecentHistoryAsync(880_070, 10)); // refused: nothing written

        Assert.Equal(1, (await Rig.Recommender.RecordEventsBatchAsync(events, TestKeys.Headers(TestKeys.Writer))).Accepted);
        Assert.Single(await Rig.Harness.Store.GetRecentHistoryAsync(880_070, 10));
        Assert.NotEmpty((await Rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.Headers(TestKeys.Admin))).ActiveVersion);
    }

    [Fact]
    public async Task Health_answers_without_a_key()
    {
        var health = new Grpc.Health.V1.Health.HealthClient(Rig.Channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "recsys.v1.Recommender" })).Status);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public void Every_recsys_method_names_the_role_it_needs()
    {
        var services = typeof(Hosting.RecSysServer).Assembly.GetTypes()
            .Where(t => t.Namespace == "RecSys.Engine.Server.Services" && t.BaseType?.DeclaringType?.Namespace == "RecSys.Engine.Server.Api.V1")
            .ToArray();
        Assert.Equal(3, services.Length);
        foreach (var service in services)
        {
            var bases = service.BaseType!.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => m.IsVirtual).ToArray();
            Assert.NotEmpty(bases);
            foreach (var method in bases)
            {
                var implemented = service.GetMethod(method.Name, [.. method.GetParameters().Select(p => p.ParameterType)]);
                Assert.True(implemented is not null && implemented.DeclaringType == service, $"{service.Name} does not implement {method.Name}");
                Assert.True(implemented!.GetCustomAttribute<RequiresRoleAttribute>() is not null, $"{service.Name}.{method.Name} has no RequiresRole");
            }
        }
    }

    [Fact]
    public async Task With_auth_off_calls_need_no_key_and_the_server_warns_at_start()
    {
        await using var rig = await ServerRig.StartAsync(o => o with { Auth = new Hosting.AuthOptions { Enabled = false } });
        Assert.Contains(rig.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("authentication is OFF", StringComparison.Ordinal));
        var response = await rig.Recommender.RecommendAsync(new Api.V1.RecommendRequest { User = ServerRig.UserId(2), K = 3 });
        Assert.Equal(3, response.Items.Count);
        Assert.DoesNotContain(Rig.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("authentication is OFF", StringComparison.Ordinal));
    }
}
