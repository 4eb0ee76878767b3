namespace RecSys.Engine.Native;

/// <summary>
/// The outcome of a best-effort native call. These hints make things faster, never correct, so a
/// refusal is reported, not thrown.
/// </summary>
/// <param name="Applied">Whether the kernel accepted the call.</param>
/// <param name="Reason">"ok", or why the call was a no-op (e.g. "not Linux", "EINVAL: ...", "ENOMEM: ...").</param>
public readonly record struct NativeCallResult(bool Applied, string Reason)
{
    internal static NativeCallResult Ok { get; } = new(true, "ok");
}
