using RecSys.Engine.Pipeline.Collections;

namespace RecSys.Engine.Pipeline.Tests.Collections;

public sealed class ChunkedArrayTests
{
    /// <summary>Chunks are 4096 elements: lengths on, around and across their boundaries.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(9000)]
    public void CopyTo_gives_every_element_in_order_whatever_the_length(int length)
    {
        var array = new ChunkedArray<int>();
        array.EnsureLength(9000);
        for (int i = 0; i < 9000; i++)
            array[i] = i * 7 + 1;
        var copy = new int[length];
        array.CopyTo(copy);
        Assert.Equal(Enumerable.Range(0, length).Select(i => i * 7 + 1), copy);
    }
}
