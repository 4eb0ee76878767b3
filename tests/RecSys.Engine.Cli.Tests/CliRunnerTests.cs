using System.CommandLine;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests;

/// <summary>The exit-code contract of every command: 2 with one line for bad input, 1 with one line for our own faults.</summary>
public sealed class CliRunnerTests
{
    private static (int code, string stdout, string stderr) Run(RootCommand root, params string[] args) => Commands.CommandRun.Run(root, args);

    [Fact]
    public void An_unexpected_exception_is_exit_1_with_one_line_and_a_report_file_not_a_crash()
    {
        var root = new RootCommand("test");
        var boom = new Command("boom");
        boom.SetAction((Func<ParseResult, int>)(_ => throw new NullReferenceException("planted")));
        root.Add(boom);

        var (code, _, stderr) = Run(root, "boom");

        Assert.Equal(CliRunner.ExitFailure, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: internal failure (NullReferenceException): planted", lines[0]);
        Assert.DoesNotContain("   at ", stderr); // no stack trace on the terminal
        string report = lines.Single(l => l.StartsWith("details: ", StringComparison.Ordinal))["details: ".Length..].Trim();
        Assert.Contains("planted", File.ReadAllText(report));
        File.Delete(report);
    }

    [Theory]
    [InlineData("base.fvecs")]
    [InlineData("query.fvecs")]
    public void A_NaN_in_a_vector_file_is_exit_2_naming_the_file_and_row(string file)
    {
        using var dir = new TempDirectory();
        var rows = VectorTestData.ClusteredRows(3, 64, 8);
        foreach (var name in new[] { "base.fvecs", "query.fvecs" })
        {
            using var writer = new FvecsWriter(dir.File(name), 8);
            for (int r = 0; r < 64; r++)
            {
                var row = rows.AsSpan(r * 8, 8).ToArray();
                if (name == file && r == 5)
                    row[3] = float.NaN;
                writer.Append(row);
            }
        }
        using (var gt = new IvecsWriter(dir.File("groundtruth.ivecs"), 1))
        {
            for (int q = 0; q < 64; q++)
                gt.Append([q]);
        }
        var root = new RootCommand("test");
        root.Add(BenchCommand.Create());

        var (code, _, stderr) = Run(root, "bench", "ann", "--data", dir.Path, "--index", "flat", "--metric", "l2", "--k", "1");

        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains(file, stderr);
        Assert.Contains("row 5", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
