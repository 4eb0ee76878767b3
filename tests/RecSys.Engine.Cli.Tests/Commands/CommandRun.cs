using System.CommandLine;
using RecSys.Engine.Cli;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>One `recsys` command run in-process through CliRunner, with its exit code and both streams.</summary>
internal static class CommandRun
{
    public static (int Code, string Stdout, string Stderr) Run(Command command, params string[] args) => Run(new RootCommand("test") { command }, args);

    public static (int Code, string Stdout, string Stderr) Run(RootCommand root, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliRunner.Run(root, args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
