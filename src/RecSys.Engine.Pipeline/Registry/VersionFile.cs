namespace RecSys.Engine.Pipeline.Registry;

/// <summary>A file of a version as the manifest records it: size in bytes and SHA-256 (lowercase hex).</summary>
public sealed record VersionFile(long Bytes, string Sha256);
