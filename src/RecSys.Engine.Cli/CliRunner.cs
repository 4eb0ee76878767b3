using System.CommandLine;

namespace RecSys.Engine.Cli;

/// <summary>
/// Runs the parsed command and maps failures onto the house exit codes:
/// 0 success, 2 bad input (usage errors, bad files, bad rows), 1 anything else.
/// </summary>
internal static class CliRunner
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitBadInput = 2;

    public static int Run(RootCommand root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                stderr.WriteLine($"error: {error.Message}");
            stderr.WriteLine("Run with --help for usage.");
            return ExitBadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (CliInputException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitBadInput;
        }
        catch (InvalidDataException e)
        {
            // Core readers throw InvalidDataException naming file, row and reason.
            stderr.WriteLine($"error: {e.Message}");
            return ExitBadInput;
        }
        catch (FileNotFoundException e)
        {
            stderr.WriteLine($"error: file not found: {e.FileName ?? e.Message}");
            return ExitBadInput;
        }
        catch (DirectoryNotFoundException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitBadInput;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("error: cancelled");
            return ExitFailure;
        }
        catch (Exception e)
        {
            // The last line of defence: whatever escaped is our fault, not the user's, but it still ends as one line
            // and an exit code, never a runtime crash (exit 134 and a stack trace on the terminal). The details go to a
            // file a bug report can attach.
            stderr.WriteLine($"error: internal failure ({e.GetType().Name}): {e.Message}");
            string? report = WriteCrashReport(e);
            if (report is not null)
                stderr.WriteLine($"details: {report}");
            return ExitFailure;
        }
    }

    private static string? WriteCrashReport(Exception e)
    {
        try
        {
            string path = Path.Combine(Path.GetTempPath(), $"recsys-crash-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.txt");
            File.WriteAllText(path, $"{DateTime.UtcNow:O} recsys {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}{Environment.NewLine}{e}");
            return path;
        }
        catch (Exception)
        {
            return null; // nowhere to write it: the one-line message above is all there is
        }
    }
}
