using System.Runtime.InteropServices;

namespace RecSys.Engine.Cli.Demo;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as one awaitable: the first signal's default (killing the process) is cancelled so the
/// server can stop gracefully (drain calls, save the state) and the command can clean up and exit 0; a second signal
/// keeps its default and ends the process at once (a stop that hangs can always be cut short).
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly TaskCompletionSource<string> _signalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    /// <summary>Completes with the signal's name ("SIGINT", "SIGTERM").</summary>
    public Task<string> Signalled => _signalled.Task;

    private void Handle(PosixSignalContext context)
    {
        if (_signalled.Task.IsCompleted)
            return;
        context.Cancel = true;
        _signalled.TrySetResult(context.Signal.ToString());
    }

    public void Dispose()
    {
        foreach (var r in _registrations)
            r.Dispose();
    }
}
