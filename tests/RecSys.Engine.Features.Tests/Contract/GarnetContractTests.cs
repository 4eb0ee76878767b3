using RecSys.Engine.Features.Redis;

namespace RecSys.Engine.Features.Tests.Contract;

/// <summary>The contract on the Redis-protocol backend against an in-process Garnet; each test gets its own key prefix.</summary>
public sealed class GarnetContractTests(GarnetFixture garnet) : FeatureStoreContractTests, IClassFixture<GarnetFixture>
{
    protected override async Task<IFeatureStore> CreateStoreAsync() =>
        await RedisFeatureStore.ConnectAsync(new RedisFeatureStoreOptions
        {
            Configuration = garnet.Configuration,
            KeyPrefix = "t" + Guid.NewGuid().ToString("N") + ":",
            HistoryCapacity = Settings.HistoryCapacity,
            ImpressionCapacity = Settings.ImpressionCapacity,
            SeenCapacity = Settings.SeenCapacity,
            CounterHalfLife = Settings.CounterHalfLife,
            BulkChunkSize = Settings.BulkChunkSize,
        });
}
