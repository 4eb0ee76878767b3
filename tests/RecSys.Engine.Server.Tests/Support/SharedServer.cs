namespace RecSys.Engine.Server.Tests.Support;

/// <summary>One server for the tests that share it (they use distinct users and items, so their writes do not meet).</summary>
public sealed class SharedServer : IAsyncLifetime
{
    public ServerRig Rig { get; private set; } = null!;

    public async Task InitializeAsync() => Rig = await ServerRig.StartAsync();

    public async Task DisposeAsync() => await Rig.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedServerCollection : ICollectionFixture<SharedServer>
{
    public const string Name = "shared server";
}
