namespace RecSys.Engine.Benchmarks;

/// <summary>
/// The suite's own flags, turned into BenchmarkDotNet's: <c>--short</c> (the short job), <c>--category a,b</c>
/// (<c>--anyCategories a b</c>); without a <c>--filter</c> every benchmark is selected (BenchmarkDotNet would otherwise
/// wait on stdin), and without <c>--artifacts</c> the exported tables go to bench/results/bdn/results/ of the repository.
/// Every other argument passes through to BenchmarkDotNet unchanged.
/// </summary>
public sealed record BenchArguments(string[] BenchmarkDotNet, bool Short)
{
    public static BenchArguments Parse(string[] args, string startDirectory)
    {
        var rest = new List<string>();
        bool isShort = false, filter = false, artifacts = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--short":
                    isShort = true;
                    break;
                case "--category":
                    if (i + 1 >= args.Length)
                        throw new ArgumentException($"--category needs a value: one or more of {string.Join(", ", BenchCategories.All)}, comma-separated");
                    string[] names = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    foreach (string name in names)
                    {
                        if (!BenchCategories.All.Contains(name, StringComparer.Ordinal))
                            throw new ArgumentException($"--category: unknown category '{name}' (known: {string.Join(", ", BenchCategories.All)})");
                    }
                    rest.Add("--anyCategories");
                    rest.AddRange(names);
                    break;
                default:
                    filter |= args[i] is "--filter" or "-f";
                    artifacts |= args[i] == "--artifacts";
                    rest.Add(args[i]);
                    break;
            }
        }
        if (!filter)
            rest.AddRange(["--filter", "*"]);
        if (!artifacts && RepositoryRoot(startDirectory) is { } root)
            rest.AddRange(["--artifacts", Path.Combine(root, "bench", "results", "bdn")]);
        return new BenchArguments([.. rest], isShort);
    }

    /// <summary>The directory holding RecSys.Engine.sln, at or above <paramref name="directory"/>; null when none.</summary>
    private static string? RepositoryRoot(string directory)
    {
        for (var d = new DirectoryInfo(directory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "RecSys.Engine.sln")))
                return d.FullName;
        }
        return null;
    }
}
