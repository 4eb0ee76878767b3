using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Serving;

/// <summary>Two event batches of one user at once: the stored CF vector ends up knowing both.</summary>
public sealed class FoldInOrderTests
{
    [Fact]
    public async Task A_fold_in_that_read_less_history_never_overwrites_one_that_read_more()
    {
        // Batch A's fold-in is held just before its vector write until batch B is done (or 2 s pass). Unordered, B reads
        // the history {a, b}, writes, and then A writes the vector of {a} alone over it: B's click is lost from the CF
        // vector. Ordered per user, B waits for A's write and writes last, from {a, b}.
        await using var h = await PipelineHarness.CreateAsync();
        var store = new InstrumentedStore(h.Store);
        var pipeline = new RecommendationPipeline(store, h.Catalog, h.Pipeline.Version, new PipelineOptions());
        const long User = 900_500;
        long a = PlantedCatalog.ItemId(11), b = PlantedCatalog.ItemId(27);
        var aAtWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int writes = 0;
        store.BeforeCfVectorWrite = async _ =>
        {
            if (Interlocked.Increment(ref writes) != 1)
                return;
            aAtWrite.SetResult();
            await Task.WhenAny(bDone.Task, Task.Delay(TimeSpan.FromSeconds(2)));
        };

        var batchA = pipeline.RecordEventsAsync([new InteractionEvent(User, a, EventType.Click, 1f, h.NowMs)]).AsTask();
        await aAtWrite.Task;
        var batchB = pipeline.RecordEventsAsync([new InteractionEvent(User, b, EventType.Click, 1f, h.NowMs + 1)]).AsTask();
        _ = batchB.ContinueWith(_ => bDone.TrySetResult(), TaskScheduler.Default);
        await Task.WhenAll(batchA, batchB);
        Assert.Equal(2, writes);

        var als = h.Models.Als!;
        float[] stored = (await h.Store.GetCfVectorAsync(User))!;
        var both = new float[als.Factors];
        Assert.True(h.Catalog.Items.TryGetOrdinal(a, out int oa));
        Assert.True(h.Catalog.Items.TryGetOrdinal(b, out int ob));
        als.FoldIn([ob, oa], default, both);
        var onlyA = new float[als.Factors];
        als.FoldIn([oa], default, onlyA);
        Assert.True(Distance(stored, both) < 1e-4f, $"the stored vector is {Distance(stored, both)} from the fold-in of both clicks and {Distance(stored, onlyA)} from that of the first alone");
    }

    private static float Distance(float[] stored, float[] expected)
    {
        float max = 0;
        for (int i = 0; i < expected.Length; i++)
            max = Math.Max(max, Math.Abs(stored[i] - expected[i]));
        return max;
    }
}
