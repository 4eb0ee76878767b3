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
    }
}
