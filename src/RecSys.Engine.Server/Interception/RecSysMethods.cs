namespace RecSys.Engine.Server.Interception;

/// <summary>Which gRPC methods are the engine's own (the ones auth, admission control and the edge rules apply to).</summary>
internal static class RecSysMethods
{
    /// <summary>The proto package of every engine service.</summary>
    public const string Package = "recsys.v1";

    /// <summary>True for "/recsys.v1.Service/Method"; false for grpc.health.v1 and grpc.reflection.</summary>
    public static bool IsRecSys(string method) => method.StartsWith("/" + Package + ".", StringComparison.Ordinal);
}
