using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests;

public class AllocationProbeTests
{
    private static object? s_sink;

    [Fact]
    public void An_allocation_on_every_call_shows_in_the_fewest_bytes()
    {
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            for (int i = 0; i < 10; i++)
                s_sink = new byte[100];
        });
        Assert.True(bytes >= 1000, $"{bytes} bytes for ten 100-byte arrays");
    }

    [Fact]
    public void A_batch_that_allocates_nothing_reads_zero()
    {
        int[] values = [1, 2, 3];
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            int sum = 0;
            foreach (int v in values)
                sum += v;
            s_sink = null;
        });
        Assert.Equal(0, bytes);
    }
}
