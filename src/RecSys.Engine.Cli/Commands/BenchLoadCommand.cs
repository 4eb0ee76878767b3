using System.CommandLine;
using RecSys.Engine.LoadGen;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// `recsys bench load`: the open-loop load generator of RecSys.Engine.LoadGen against a server on 127.0.0.1. Its flags
/// are the generator's own (one parser, shared with bench/RecSys.Engine.LoadTest), so they pass through untouched.
/// </summary>
internal static class BenchLoadCommand
{
    public static Command Create()
    {
        var load = new Command("load", "Open-loop load against a recsys server on 127.0.0.1: latency percentiles from each request's "
            + "scheduled send, errors by status, a verdict against the SLO; --sweep for rising rates. Flags:" + Environment.NewLine + LoadArguments.Usage)
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        load.SetAction((parse, cancellationToken) => LoadTestCommand.RunAsync(parse.UnmatchedTokens, parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error, "recsys bench load", plot: null, cancellationToken));
        return load;
    }
}
