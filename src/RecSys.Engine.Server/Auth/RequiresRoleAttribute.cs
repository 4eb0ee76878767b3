namespace RecSys.Engine.Server.Auth;

/// <summary>
/// The role a service method needs. Grpc.AspNetCore copies a method's attributes into its endpoint metadata, where
/// <see cref="ApiKeyInterceptor"/> reads it; a recsys.v1 method without one needs <see cref="ApiRole.Admin"/> (closed by default).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class RequiresRoleAttribute(ApiRole role) : Attribute
{
    public ApiRole Role { get; } = role;
}
