namespace RecSys.Engine.Pipeline.Registry;

/// <summary>An index of a version: its factory string (IndexSpec: "HNSW16,efc200") and its directory (saved by the index's Save).</summary>
public sealed record IndexEntry(string Spec, string Path);
