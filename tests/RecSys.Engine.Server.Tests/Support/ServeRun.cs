using Grpc.Net.Client;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.Server.Tests.Support;

/// <summary>
/// One run of <c>recsys serve</c>'s path (<see cref="RecSysServer.ServeAsync"/>, real Kestrel on 127.0.0.1) around a
/// test's calls: start from the config, wait until it listens, hand the calls a channel's clients, stop it, and let a
/// start that failed (or a stop that threw) surface as the exception it was.
/// </summary>
public static class ServeRun
{
    public static async Task RunAsync(ServeConfig config, LogCapture logs,
        Func<RunningServer, Recommender.RecommenderClient, Admin.AdminClient, Task> calls)
    {
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource<RunningServer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var serving = RecSysServer.ServeAsync(config, started.SetResult, logs.Configure, stop: stop.Token);
        if (await Task.WhenAny(started.Task, serving) == serving)
            await serving; // it ended before it listened: its exception says why
        try
        {
            var server = await started.Task;
            using var channel = GrpcChannel.ForAddress(server.Address);
            await calls(server, new Recommender.RecommenderClient(channel), new Admin.AdminClient(channel));
        }
        finally
        {
            stop.Cancel();
            await serving;
        }
    }
}
