namespace RecSys.Engine.Core.Index.Factory;

/// <summary>
/// An index factory string that does not parse, breaks a rule of the options it names, or does not fit the
/// dimension it is built for. The message names the spec and the bad token; <see cref="Field"/> names the
/// option field behind the token (null for a syntax error), so an edge that built the spec from its own
/// flags (the CLI's --M, --nlist) can report under the flag's name instead.
/// </summary>
public sealed class IndexSpecException(string spec, string token, string? field, string reason, Exception? inner = null)
    : FormatException($"index spec '{spec}': '{token}': {reason}", inner)
{
    /// <summary>The whole spec as given (or as formatted, for a spec built in code).</summary>
    public string Spec { get; } = spec;

    /// <summary>The token at fault, e.g. "HNSW1" or "efc0".</summary>
    public string Token { get; } = token;

    /// <summary>The options field the token sets ("M", "EfConstruction", "NList", "m" ...); null for syntax.</summary>
    public string? Field { get; } = field;

    /// <summary>What is wrong, in the words of the rule that failed.</summary>
    public string Reason { get; } = reason;
}
