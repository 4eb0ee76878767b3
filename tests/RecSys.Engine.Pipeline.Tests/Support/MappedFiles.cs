namespace RecSys.Engine.Pipeline.Tests.Support;

/// <summary>Whether this process still maps a version's files: the proof that a released version let them go.</summary>
internal static class MappedFiles
{
    /// <summary>
    /// Asserts that <paramref name="path"/> is (or is not) mapped. Linux lists every mapped file in /proc/self/maps;
    /// elsewhere there is nothing to read, and nothing is checked.
    /// </summary>
    public static void AssertMapped(string path, bool expected)
    {
        if (!OperatingSystem.IsLinux())
            return;
        string full = Path.GetFullPath(path);
        bool mapped = File.ReadLines("/proc/self/maps").Any(line => line.EndsWith(" " + full, StringComparison.Ordinal));
        Assert.True(mapped == expected, $"{full} is {(mapped ? "still" : "not")} mapped");
    }
}
