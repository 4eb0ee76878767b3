namespace RecSys.Engine.Features.Records;

/// <summary>Policy marks the post-processing filters act on. Stored as a uint; bits are part of the format.</summary>
[Flags]
public enum ItemPolicyFlags : uint
{
    None = 0,
    Adult = 1 << 0,
    RegionRestricted = 1 << 1,
    Sponsored = 1 << 2,
    NotForKids = 1 << 3,
    UnderReview = 1 << 4,
    Blocked = 1 << 5,
}
