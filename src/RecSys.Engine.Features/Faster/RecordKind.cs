using RecSys.Engine.Features.Records;
namespace RecSys.Engine.Features.Faster;

/// <summary>First byte of every KV key: which record of the user or item the key names. Part of the on-disk format.</summary>
internal enum RecordKind : byte
{
    UserProfile = 1,
    UserHistory = 2,
    UserCfVector = 3,
    Item = 4,
    ItemCounter = 5,
    ItemSegmentCounter = 6,
    UserSeen = 7,
}
