namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// What a catalog snapshot saves, copied in one moment while catalog writes are held off, so the files can be written
/// after they resume (the journal takes the writes meanwhile). Every array is a copy or immutable (content rows are
/// never written in place), so nothing here changes under the writer.
/// </summary>
/// <param name="Version">The active version then: its trained content rows are the ones left out.</param>
/// <param name="Ids">External ids by ordinal.</param>
/// <param name="Names">String ids by ordinal (null when none; shorter than the ids when the last have none).</param>
/// <param name="Categories">Category keys by id.</param>
/// <param name="Segments">Segment keys by id.</param>
/// <param name="ContentDimension">0 when the catalog has no content vectors.</param>
/// <param name="ContentRows">Content vector by ordinal (null: none).</param>
/// <param name="Impressions">Impression counts by ordinal (at most one per id).</param>
/// <param name="Interactors">The users of each item added after training (<see cref="Catalog.ItemInteractors"/>), copied.</param>
/// <param name="InteractorChanges">The interactors' change count when captured (a save with none since, and no other change, is skipped).</param>
/// <param name="JournalFrom">The first journal file not in the snapshot: a restart replays it and those after it.</param>
/// <param name="Changes">The journal's change count when captured (a save with none since is skipped).</param>
internal sealed record CatalogCapture(
    string Version,
    long[] Ids,
    string?[]? Names,
    string[] Categories,
    string[] Segments,
    int ContentDimension,
    float[]?[] ContentRows,
    int[] Impressions,
    (int Ordinal, long[] Users)[] Interactors,
    long InteractorChanges,
    long JournalFrom,
    long Changes);
