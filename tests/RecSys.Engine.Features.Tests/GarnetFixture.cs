using Garnet;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests;

/// <summary>An in-process Garnet server on 127.0.0.1 and a free port (another one if that was taken first), shared by the tests of one class.</summary>
public sealed class GarnetFixture : IDisposable
{
    private readonly GarnetServer _server;

    public GarnetFixture()
    {
        (_server, Port) = LoopbackPort.Start(port => (StartGarnet(port), port));
    }

    /// <summary>A Garnet server on 127.0.0.1:<paramref name="port"/>, started; one whose start failed is disposed.</summary>
    public static GarnetServer StartGarnet(int port)
    {
        var server = new GarnetServer(["-q", "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--memory", "256m", "--index", "16m"]);
        try
        {
            server.Start();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port},abortConnect=false";

    public void Dispose() => _server.Dispose();
}
