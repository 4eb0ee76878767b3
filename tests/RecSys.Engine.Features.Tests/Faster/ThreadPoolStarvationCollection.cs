namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>Tests that block every thread-pool thread for a while run alone, not beside tests that need the pool.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadPoolStarvationCollection
{
    public const string Name = "thread pool starvation";
}
