using System.Net;
using System.Net.Sockets;

namespace RecSys.Engine.Testing;

/// <summary>A TCP port on 127.0.0.1 that was free a moment ago, for an in-process server a test starts (Garnet).</summary>
public static class LoopbackPort
{
    /// <summary>Binds port 0, reads what the OS gave, and lets it go: the caller binds it next.</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
