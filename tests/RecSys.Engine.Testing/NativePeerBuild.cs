using System.Diagnostics;

namespace RecSys.Engine.Testing;

/// <summary>
/// Runs native-interop/peers/build.sh for the tests of the native peers (hnswlib, FAISS). The script is incremental
/// and takes a lock, so test projects running at once share one build. Its exit code says which path a test checks:
/// 0 = built (the peers run), 3 = a prerequisite is missing (the "how to install" line is what is left to check).
/// </summary>
public static class NativePeerBuild
{
    public const int Built = 0;
    public const int PrerequisiteMissing = 3;

    public static (int Code, string Output) Run()
    {
        string? script = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && script is null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "native-interop", "peers", "build.sh");
            if (File.Exists(candidate))
                script = candidate;
        }
        if (script is null)
            return (-1, $"native-interop/peers/build.sh not found above {AppContext.BaseDirectory}");
        if (!OperatingSystem.IsLinux())
            return (PrerequisiteMissing, "the native peers build on Linux only");
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{script} did not finish in 10 minutes");
        }
        return (process.ExitCode, stdout + stderr.Result);
    }
}
