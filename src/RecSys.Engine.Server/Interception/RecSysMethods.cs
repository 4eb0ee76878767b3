namespace RecSys.Engine.Server.Interception;

/// <summary>Which gRPC methods are the engine's own (the ones auth and the edge rules apply to; admission control, all but Admin).</summary>
internal static class RecSysMethods
{
    /// <summary>The proto package of every engine service.</summary>
    public const string Package = "recsys.v1";

    /// <summary>True for "/recsys.v1.Service/Method"; false for grpc.health.v1 and grpc.reflection.</summary>
    public static bool IsRecSys(string method) => method.StartsWith("/" + Package + ".", StringComparison.Ordinal);

    /// <summary>
    /// True for the calls admission control may refuse: the engine's own, except Admin ("/recsys.v1.Admin/GetStats"),
    /// which an operator needs most on a server that is shedding load.
    /// </summary>
    public static bool IsAdmitted(string method) =>
        IsRecSys(method) && !method.StartsWith("/" + Package + ".Admin/", StringComparison.Ordinal);
}
