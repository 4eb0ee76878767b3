using System.CommandLine;
using System.Runtime.InteropServices;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// <c>recsys serve --config FILE</c>: the gRPC server over a model registry and a feature store, configured by an
/// appsettings-style JSON file (<see cref="ServeConfig"/>: the "Server" and "Serving" sections; the README's "Serving"
/// section lists every key). A bad config is exit 2 naming the key; Ctrl-C or SIGTERM stops gracefully (calls in flight
/// finish, the state is saved) and exits 0; a second signal during the stop ends the process at once.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "The JSON config file (sections Server and Serving).", Required = true };
        var check = new Option<bool>("--check") { Description = "Check the config as a start would (its values, the registry's active version and its ranker, the pipeline config and experiments against it; the feature store is not opened), print what it would serve, and exit." };
        var command = new Command("serve", "Serve recommendations over gRPC (recsys.v1) until Ctrl-C or SIGTERM.");
        command.Add(config);
        command.Add(check);
        command.SetAction(parse =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            string path = parse.GetValue(config)!;
            ServeConfig settings;
            try
            {
                settings = ServeConfig.FromJsonFile(path);
            }
            catch (ServerConfigException e)
            {
                throw new CliInputException($"--config {path}: {e.Message}");
            }
            if (parse.GetValue(check))
            {
                string version;
                try
                {
                    version = RecSysServer.Check(settings);
                }
                catch (ServerConfigException e)
                {
                    throw new CliInputException($"--config {path}: {e.Message}");
                }
                stdout.WriteLine($"{path}: ok; would serve version '{version}' of registry {settings.Serving.RegistryDirectory} on {settings.Server.Host}:{settings.Server.Port}"
                    + (settings.PipelineFile is null ? "" : $" with pipeline config {settings.PipelineFile.Source}")
                    + (settings.Experiments.Count == 0 ? "" : $" with experiments {string.Join(", ", settings.Experiments.Select(e => e.Name))}"));
                return CliRunner.ExitOk;
            }
            return Serve(settings, path, stdout);
        });
        return command;
    }

    private static int Serve(ServeConfig settings, string path, TextWriter stdout)
    {
        using var stop = new CancellationTokenSource();
        // The first signal asks for a graceful stop; a second one is left to the runtime's default (the process ends).
        void OnSignal(PosixSignalContext context)
        {
            if (stop.IsCancellationRequested)
                return;
            context.Cancel = true;
            stop.Cancel(); // first: a write below can fail (stdout closed), the stop must not depend on it
            Say(stdout, $"recsys serve: {context.Signal}: stopping (finishing calls in flight, saving the state)");
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            RecSysServer.ServeAsync(settings, server => Say(stdout,
                    $"recsys serve: listening on {server.Address}; metrics {server.MetricsAddress?.ToString() ?? "off"}; Ctrl-C or SIGTERM stops"),
                stop: stop.Token).GetAwaiter().GetResult();
        }
        catch (ServerConfigException e)
        {
            throw new CliInputException($"--config {path}: {e.Message}");
        }
        Say(stdout, "recsys serve: stopped (calls drained, state saved)");
        return CliRunner.ExitOk;
    }

    /// <summary>A status line; a server whose stdout went away (a closed pipe) keeps serving and still stops gracefully.</summary>
    private static void Say(TextWriter stdout, string line)
    {
        try
        {
            stdout.WriteLine(line);
        }
        catch (IOException)
        {
        }
    }
}
