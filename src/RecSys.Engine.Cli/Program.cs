using System.CommandLine;
using RecSys.Engine.Cli;
using RecSys.Engine.Cli.Commands;

// `recsys`: one root command; each sub-command lives in Commands/ and registers itself here.
var root = new RootCommand("RecSys.Engine: a recommendation engine with SIMD vector indexes.");
root.Add(GenCommand.Create());
root.Add(BenchCommand.Create());
root.Add(EvalCommand.Create());
root.Add(ServeCommand.Create());
return CliRunner.Run(root, args);
