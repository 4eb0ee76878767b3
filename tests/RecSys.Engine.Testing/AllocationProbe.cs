namespace RecSys.Engine.Testing;

/// <summary>Measures what a batch of calls allocates on the calling thread.</summary>
/// <remarks>
/// One window is not enough: the runtime itself can allocate a few KB on the test thread while a
/// method is re-compiled at a higher tier (seen in CI under DOTNET_EnableHWIntrinsic=0, where
/// everything is slower and tier-up lands later). So the batch is run several times and the fewest
/// bytes win. An allocation in the code under test happens on every call, so it shows in every
/// batch and a zero assertion still fails on it.
/// </remarks>
public static class AllocationProbe
{
    public static long FewestBytesPerBatch(Action batch, int batches = 5)
    {
        batch(); // the first batch sizes thread-local scratch and runs static constructors
        long fewest = long.MaxValue;
        for (int b = 0; b < batches && fewest > 0; b++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            batch();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
