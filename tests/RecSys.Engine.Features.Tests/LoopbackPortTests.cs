using System.Net;
using System.Net.Sockets;
using RecSys.Engine.Testing;
using StackExchange.Redis;

namespace RecSys.Engine.Features.Tests;

/// <summary>
/// The in-process Garnet servers' ports: a port that another process bound between <see cref="LoopbackPort.Free"/>
/// and Garnet's own bind is given up for another, instead of failing the test class that needed the server.
/// </summary>
public sealed class LoopbackPortTests
{
    [Fact]
    public async Task A_port_something_else_bound_first_is_given_up_for_another()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            int busy = ((IPEndPoint)taken.LocalEndpoint).Port;
            var picks = new Queue<int>([busy, LoopbackPort.Free()]);
            var (server, port) = LoopbackPort.Start(p => (GarnetFixture.StartGarnet(p), p), pick: picks.Dequeue);
            using (server)
            {
                Assert.NotEqual(busy, port);
                await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port}");
                await redis.GetDatabase().StringSetAsync("k", "v");
                Assert.Equal("v", (string?)await redis.GetDatabase().StringGetAsync("k"));
            }
        }
        finally
        {
            taken.Stop();
        }
    }

    [Fact]
    public void A_failure_that_is_not_a_taken_port_is_thrown_at_once()
    {
        int calls = 0;
        var e = Assert.Throws<InvalidOperationException>(() => LoopbackPort.Start<int>(_ =>
        {
            calls++;
            throw new InvalidOperationException("not a port problem");
        }));
        Assert.Equal("not a port problem", e.Message);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void A_port_taken_every_time_fails_after_the_attempts()
    {
        int calls = 0;
        Assert.Throws<SocketException>(() => LoopbackPort.Start<int>(_ =>
        {
            calls++;
            throw new SocketException((int)SocketError.AddressAlreadyInUse);
        }, attempts: 3));
        Assert.Equal(3, calls);
    }
}
