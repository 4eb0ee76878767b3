using System.CommandLine;
using RecSys.Engine.Cli.Demo;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// <c>recsys demo</c>: a catalog, trained models, an HNSW index and the real gRPC server on 127.0.0.1 in one command,
/// a few calls answered through the generated client, then serving until Ctrl-C or SIGTERM (see <see cref="DemoRunner"/>).
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var defaults = new DemoSettings();
        var items = new Option<int>("--items") { Description = $"Items of the generated catalog (default {defaults.Items}).", DefaultValueFactory = _ => defaults.Items };
        var users = new Option<int>("--users") { Description = $"Users of the generated catalog (default {defaults.Users}).", DefaultValueFactory = _ => defaults.Users };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the generated catalog and of ALS.", DefaultValueFactory = _ => defaults.Seed };
        var movielens = new Option<string?>("--movielens") { Description = "Serve MovieLens 100K from this directory (u.data, u.item, u.user) instead, with titles." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Where the model registry and the feature store go (an empty or new directory; default a temp directory removed on exit)." };
        var port = new Option<int>("--port") { Description = $"gRPC port on 127.0.0.1 (default {defaults.Port}; 0 = a free one).", DefaultValueFactory = _ => defaults.Port };
        var budget = new Option<int>("--source-budget-ms") { Description = $"Time a candidate source may take per request before it is dropped (default {defaults.SourceBudgetMs}); raise it on a slow or shared machine.", DefaultValueFactory = _ => defaults.SourceBudgetMs };
        var noServe = new Option<bool>("--no-serve") { Description = "Answer the demo's calls, then stop and exit 0 instead of serving." };

        var command = new Command("demo", "Generate a catalog, train ALS, build the HNSW index, start the gRPC server on 127.0.0.1, show a few calls, serve until Ctrl-C.");
        foreach (var o in new Option[] { items, users, seed, movielens, dataDir, port, budget, noServe })
            command.Add(o);
        command.SetAction(parse =>
        {
            var settings = new DemoSettings
            {
                Items = parse.GetValue(items),
                Users = parse.GetValue(users),
                Seed = parse.GetValue(seed),
                MovieLens = parse.GetValue(movielens),
                DataDirectory = parse.GetValue(dataDir),
                Port = parse.GetValue(port),
                NoServe = parse.GetValue(noServe),
                SourceBudgetMs = parse.GetValue(budget),
            };
            // Synchronous on purpose: the command line's own Ctrl-C handling (cancel, then kill after 2 s) would cut the
            // graceful stop short; the demo handles SIGINT and SIGTERM itself.
            return DemoRunner.RunAsync(settings, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error).GetAwaiter().GetResult().Code;
        });
        return command;
    }
}
