using Grpc.Core;

namespace RecSys.Engine.Server.Tests.Support;

/// <summary>Asserts a call fails with a status code, and that the message names the request field.</summary>
public static class RpcAssert
{
    public static async Task<RpcException> FailsAsync(StatusCode code, string? field, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(e.StatusCode == code, $"expected {code}, got {e.StatusCode}: {e.Status.Detail}");
        if (field is not null)
            Assert.True(e.Status.Detail.StartsWith(field + ":", StringComparison.Ordinal), $"expected the message to name '{field}', got: {e.Status.Detail}");
        return e;
    }

    public static Task<RpcException> FailsAsync<T>(StatusCode code, string? field, Func<AsyncUnaryCall<T>> call) =>
        FailsAsync(code, field, async () => await call().ResponseAsync);
}
