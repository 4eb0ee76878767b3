namespace RecSys.Engine.Features.Codecs;

/// <summary>A stored feature record could not be decoded: unknown format version, truncated or malformed bytes.</summary>
public sealed class FeatureFormatException : FormatException
{
    public FeatureFormatException(string message) : base(message) { }

    internal static FeatureFormatException UnknownVersion(string recordKind, byte found, byte supported) =>
        new($"{recordKind} record has format version {found}; this build reads version {supported} only " +
            "(written by a newer build? upgrade the reader, or re-load the data)");

    internal static FeatureFormatException Truncated(string recordKind, int needed, int available) =>
        new($"{recordKind} record is truncated: needed {needed} more bytes, {available} left");

    internal static FeatureFormatException Empty(string recordKind) => new($"{recordKind} record is empty (no version byte)");
}
