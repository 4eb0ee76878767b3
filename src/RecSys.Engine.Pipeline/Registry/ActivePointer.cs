namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// The ACTIVE file: the version a (re)started server serves, and the versions active before it, most recent first
/// (what a rollback goes back to). Replaced whole through the durable-file helper, so a crash leaves the old pointer
/// or the new one.
/// </summary>
internal sealed record ActivePointer
{
    public const string FileName = "ACTIVE";

    /// <summary>Versions a rollback can still go back to, beyond which the history is dropped.</summary>
    public const int MaxHistory = 32;

    public string? Active { get; init; }

    public List<string> History { get; init; } = [];
}
