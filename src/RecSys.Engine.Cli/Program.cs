using System.CommandLine;
using RecSys.Engine.Cli;
using RecSys.Engine.Cli.Commands;

// `recsys`: one root command; each sub-command lives in Commands/ and registers itself here.
var root = new RootCommand("RecSys.Engine: a recommendation engine with SIMD vector indexes.");
// commands are added below as they land
root.Add(GenCommand.Create());
return CliRunner.Run(root, args);
