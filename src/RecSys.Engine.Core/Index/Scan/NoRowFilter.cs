namespace RecSys.Engine.Core.Index.Scan;

/// <summary>Allows everything; the scan takes its block path.</summary>
internal readonly struct NoRowFilter : IRowFilter
{
    public static bool IsPassThrough => true;

    public bool Allows(long id) => true;
}
