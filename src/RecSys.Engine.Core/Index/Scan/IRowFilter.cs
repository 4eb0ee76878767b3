namespace RecSys.Engine.Core.Index.Scan;

/// <summary>Filter as a struct type parameter: <see cref="NoRowFilter"/> compiles the unfiltered loop without a branch.</summary>
internal interface IRowFilter
{
    static abstract bool IsPassThrough { get; }

    bool Allows(long id);
}
