namespace RecSys.Engine.Pipeline.Registry;

/// <summary>Where an embedding import is: <see cref="Stage"/> "rows" (Done = rows taken), "index" (Done of Total rows indexed) or "copy" (files of the base version).</summary>
public readonly record struct EmbeddingImportProgress(string Stage, long Done, long Total);
