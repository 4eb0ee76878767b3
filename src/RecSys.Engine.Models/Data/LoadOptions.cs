namespace RecSys.Engine.Models.Data;

/// <summary>How loaders treat bad rows: throw (the default) or skip and count them.</summary>
public sealed record LoadOptions
{
    public static readonly LoadOptions Strict = new();

    /// <summary>Skip bad rows (counted in <see cref="LoadReport"/>) instead of throwing InvalidDataException.</summary>
    public bool SkipBad { get; init; }
}
