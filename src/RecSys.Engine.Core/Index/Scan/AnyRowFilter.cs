namespace RecSys.Engine.Core.Index.Scan;

/// <summary>Any other <see cref="IdFilter"/>: one virtual call per row.</summary>
internal readonly struct AnyRowFilter(IdFilter filter) : IRowFilter
{
    public static bool IsPassThrough => false;

    public bool Allows(long id) => filter.Allows(id);
}
