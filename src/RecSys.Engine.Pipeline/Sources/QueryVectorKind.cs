namespace RecSys.Engine.Pipeline.Sources;

/// <summary>Which vector of the request a <see cref="VectorQuerySource"/> searches with.</summary>
public enum QueryVectorKind
{
    /// <summary><see cref="Abstractions.RequestContext.CfVector"/>.</summary>
    UserCf,

    /// <summary><see cref="Abstractions.RequestContext.ContentProfile"/>.</summary>
    UserContent,

    /// <summary><see cref="Abstractions.RequestContext.QueryVector"/> (search).</summary>
    Query,
}
