using System.Runtime.InteropServices;

namespace RecSys.Engine.Ranking.Onnx.Tests;

/// <summary>
/// Points the process's file descriptor 2 at a temporary file while it lives, so a test can read what native code
/// (ONNX Runtime's own logger) wrote to stderr; Console.Error is not enough, as native writes bypass it. Linux only
/// (libc's dup / dup2 by that name). Everything in the process that writes to stderr meanwhile lands in the file too,
/// so a test reading it looks only for lines of its own kind.
/// </summary>
internal sealed partial class NativeStderrCapture : IDisposable
{
    private const int StderrFd = 2;
    private readonly string _path;
    private readonly FileStream _file;
    private int _saved;

    public NativeStderrCapture()
    {
        _path = Path.Combine(Path.GetTempPath(), $"recsys-stderr-{Guid.NewGuid():N}.txt");
        _file = new FileStream(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
        Console.Error.Flush();
        _saved = Dup(StderrFd);
        if (_saved < 0 || Dup2((int)_file.SafeFileHandle.DangerousGetHandle(), StderrFd) < 0)
            throw new InvalidOperationException($"could not redirect stderr (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <summary>Restores stderr and returns what was written to it meanwhile.</summary>
    public string Stop()
    {
        if (_saved >= 0)
        {
            Console.Error.Flush();
            Dup2(_saved, StderrFd);
            Close(_saved);
            _saved = -1;
        }
        _file.Flush();
        return File.ReadAllText(_path);
    }

    public void Dispose()
    {
        Stop();
        _file.Dispose();
        File.Delete(_path);
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int fd, int fd2);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
