using StackExchange.Redis;

namespace RecSys.Engine.Features.Redis;

/// <summary>
/// Key layout. The part in braces is the cluster hash tag, so every key of one user (and of one item) lands in
/// the same slot: DEL of a user's keys is one single-slot command, and an item's counters live with its metadata.
/// <code>
///   {u:ID}:profile   user profile (UserProfileCodec)       {i:ID}:meta        item metadata (ItemMetadataCodec)
///   {u:ID}:hist      bounded history (HistoryCodec)         {i:ID}:cnt         item counter (DecayedCounterCodec)
///   {u:ID}:cf        CF vector (CfVectorCodec)              {i:ID}:cnt:SEG     item x segment counter
///   {u:ID}:seen      items fallen out of the history (SeenSetCodec)
/// </code>
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    public RedisKey Profile(long userId) => $"{prefix}{{u:{userId}}}:profile";
    public RedisKey History(long userId) => $"{prefix}{{u:{userId}}}:hist";
    public RedisKey CfVector(long userId) => $"{prefix}{{u:{userId}}}:cf";
    public RedisKey Seen(long userId) => $"{prefix}{{u:{userId}}}:seen";
    public RedisKey Item(long itemId) => $"{prefix}{{i:{itemId}}}:meta";
    public RedisKey Counter(long itemId, int segment) =>
        segment < 0 ? $"{prefix}{{i:{itemId}}}:cnt" : $"{prefix}{{i:{itemId}}}:cnt:{segment}";
}
