using RecSys.Engine.Pipeline.Collections;

namespace RecSys.Engine.Pipeline.Tests.Collections;

public sealed class OrdinalMapTests
{
    [Fact]
    public void Behaves_like_a_dictionary_through_growth_and_reset()
    {
        var map = new OrdinalMap();
        var reference = new Dictionary<int, int>();
        var rng = new Random(5);
        for (int round = 0; round < 3; round++)
        {
            map.Reset(8);
            reference.Clear();
            for (int i = 0; i < 2000; i++)
            {
                int key = rng.Next(0, 5000);
                int value = rng.Next();
                int stored = map.GetOrAdd(key, value);
                if (reference.TryAdd(key, value))
                    Assert.Equal(value, stored);
                else
                    Assert.Equal(reference[key], stored);
                if (i % 7 == 0)
                {
                    map.Set(key, value);
                    reference[key] = value;
                }
            }
            Assert.Equal(reference.Count, map.Count);
            foreach (var (k, v) in reference)
                Assert.True(map.TryGetValue(k, out int got) && got == v);
            Assert.False(map.Contains(6000));
        }
    }
}
