using Garnet;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests;

/// <summary>An in-process Garnet server on 127.0.0.1 and a free port, shared by the tests of one class.</summary>
public sealed class GarnetFixture : IDisposable
{
    private readonly GarnetServer _server;

    public GarnetFixture()
    {
        Port = LoopbackPort.Free();
        _server = new GarnetServer(["-q", "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--memory", "256m", "--index", "16m"]);
        _server.Start();
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port},abortConnect=false";

    public void Dispose() => _server.Dispose();
}
