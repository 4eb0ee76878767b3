using System.Net;
using System.Net.Sockets;

namespace RecSys.Engine.Testing;

/// <summary>A TCP port on 127.0.0.1 for an in-process server a test starts (Garnet), which binds it itself.</summary>
public static class LoopbackPort
{
    /// <summary>Binds port 0, reads what the OS gave, and lets it go: the caller binds it next (see <see cref="Start{T}"/>).</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// Starts a server on a free port, and on another one when something else bound the port first: between
    /// <see cref="Free"/> letting it go and the server binding it, another process (a parallel test run) may take it.
    /// <paramref name="start"/> must clean up after a failed start; any other failure is thrown at once.
    /// </summary>
    public static T Start<T>(Func<int, T> start, int attempts = 5, Func<int>? pick = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        pick ??= Free;
        for (int attempt = 1; ; attempt++)
        {
            int port = pick();
            try
            {
                return start(port);
            }
            catch (Exception e) when (attempt < attempts && IsAddressInUse(e))
            {
            }
        }
    }

    private static bool IsAddressInUse(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
                return true;
        }
        return false;
    }
}
