using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Pipeline.Tests.Serving;

/// <summary>
/// What a request allocates must not grow with the catalog: pooled buffers, no LINQ, nothing per candidate.
/// Measured on two catalogs four times apart, as a bound (no timing). The response and the store's reads
/// (profile, history, CF vector) are what remains.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class AllocationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Requests = 20;

    private static async Task<long> BytesPerRequestAsync(int items, bool parallel)
    {
        await using var h = await PipelineHarness.CreateAsync(planted: new PlantedCatalog(items: items), parallelSources: parallel);
        var requests = Enumerable.Range(0, Requests).Select(u => new RecommendRequest { UserId = PlantedCatalog.UserId(u), K = 10, NowMs = h.NowMs, RequestId = "r" + u }).ToArray();
        void Batch()
        {
            foreach (var r in requests)
            {
                var task = h.Pipeline.RecommendAsync(r);
                // Inline sources over FASTER complete synchronously: the whole request runs on this thread.
                Assert.True(parallel || task.IsCompleted);
                task.AsTask().GetAwaiter().GetResult();
            }
        }
        if (parallel)
        {
            // Sources run on pool threads: count every thread's allocations, fewest over a few batches.
            Batch();
            long fewest = long.MaxValue;
            for (int b = 0; b < 5; b++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                Batch();
                fewest = Math.Min(fewest, GC.GetTotalAllocatedBytes(precise: true) - before);
            }
            return fewest / Requests;
        }
        return AllocationProbe.FewestBytesPerBatch(Batch) / Requests;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Allocations_per_request_do_not_grow_with_the_catalog(bool parallel)
    {
        long small = await BytesPerRequestAsync(400, parallel);
        long large = await BytesPerRequestAsync(1600, parallel);
        output.WriteLine($"parallel={parallel}: {small} B per request at 400 items, {large} B at 1600");
        Assert.True(large <= small * 5 / 4 + 512, $"{small} B per request at 400 items, {large} B at 1600");
        Assert.True(small < (parallel ? 16_000 : 8_000), $"{small} B per request");
    }
}

/// <summary>Runs alone: the parallel case counts every thread's allocations, which other tests would add to.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "allocation";
}
