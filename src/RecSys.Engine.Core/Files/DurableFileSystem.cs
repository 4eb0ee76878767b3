namespace RecSys.Engine.Core.Files;

/// <summary>
/// Which <see cref="IDurableFileSystem"/> durable writes use: the operating system's, unless a test has put another
/// in for the code it calls. The override is an AsyncLocal, so a test that simulates a power loss touches only its
/// own saves, not those of tests running beside it.
/// </summary>
internal static class DurableFileSystem
{
    private static readonly AsyncLocal<IDurableFileSystem?> Replacement = new();

    public static IDurableFileSystem Current => Replacement.Value ?? OperatingSystemFileSystem.Instance;

    /// <summary>Null restores the operating system's file system.</summary>
    public static IDurableFileSystem? Override
    {
        get => Replacement.Value;
        set => Replacement.Value = value;
    }
}
