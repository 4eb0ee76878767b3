namespace RecSys.Engine.Features.Faster;

/// <summary>Write-ahead log operation codes. Part of the on-disk format.</summary>
internal enum WalOp : byte
{
    UpsertProfile = 1,
    Event = 2,
    UpsertCfVector = 3,
    UpsertItem = 4,
    MarkItemDeleted = 5,
    DeleteUser = 6,
}
