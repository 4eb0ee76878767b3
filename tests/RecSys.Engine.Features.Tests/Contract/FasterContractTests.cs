using RecSys.Engine.Features.Faster;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests.Contract;

/// <summary>The contract on the embedded FASTER backend, each test on its own temp directory on real disk.</summary>
public sealed class FasterContractTests : FeatureStoreContractTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected override async Task<IFeatureStore> CreateStoreAsync() =>
        await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(_dir.Path, Settings));

    public void Dispose() => _dir.Dispose();
}
