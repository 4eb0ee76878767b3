using Grpc.Core;
using Microsoft.AspNetCore.Http;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Interception;

namespace RecSys.Engine.Server.Auth;

/// <summary>
/// Authenticates every recsys.v1 call by its API key and checks the method's role:
/// <code>
///   not a recsys.v1 method (health, reflection)            -> through, no key needed
///   auth off (Server:Auth:Enabled = false)                 -> through
///   no key, or a key no one has                            -> UNAUTHENTICATED
///   key without the method's role (RequiresRoleAttribute)  -> PERMISSION_DENIED
/// </code>
/// The key comes from <c>x-api-key</c>, or from <c>authorization: Bearer KEY</c>.
/// </summary>
internal sealed class ApiKeyInterceptor(ServerOptions options, ApiKeyRing keys) : ServerCallInterceptor
{
    private const string ApiKeyHeader = "x-api-key";
    private const string BearerPrefix = "Bearer ";

    protected override Task<T> InterceptAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        Authorize(context);
        return call();
    }

    private void Authorize(ServerCallContext context)
    {
        if (!options.Auth.Enabled || !RecSysMethods.IsRecSys(context.Method))
            return;
        string? presented = PresentedKey(context.RequestHeaders);
        if (presented is null)
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"{context.Method}: no API key (send it in the '{ApiKeyHeader}' header, or as 'authorization: Bearer KEY')"));
        var key = keys.Find(presented)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, $"{context.Method}: the API key is not valid"));
        var needed = context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<RequiresRoleAttribute>()?.Role ?? ApiRole.Admin;
        if (!key.Roles.Contains(needed))
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{context.Method} needs the {needed} role; key '{key.Name}' has {string.Join(", ", key.Roles)}"));
    }

    private static string? PresentedKey(Metadata headers)
    {
        string? key = headers.GetValue(ApiKeyHeader);
        if (!string.IsNullOrEmpty(key))
            return key;
        string? authorization = headers.GetValue("authorization");
        if (authorization is not null && authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            string token = authorization[BearerPrefix.Length..].Trim();
            return token.Length > 0 ? token : null;
        }
        return null;
    }
}
