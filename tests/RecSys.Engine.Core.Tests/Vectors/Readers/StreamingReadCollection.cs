namespace RecSys.Engine.Core.Tests.Vectors.Readers;

/// <summary>
/// Tests in this collection run with no other test in parallel: they measure process-wide
/// allocation (GC.GetTotalAllocatedBytes), which concurrent tests would pollute.
/// </summary>
[CollectionDefinition(nameof(StreamingReadTests), DisableParallelization = true)]
public sealed class StreamingReadCollection;
