namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// Retrieves candidates for one request (collaborative ANN, item-to-item, content, trending, cold start, ...).
/// Must not score the whole catalog: retrieval goes through a vector index or a precomputed list. Runs in
/// parallel with the other sources of the surface, under its own time budget: it should watch
/// <paramref name="cancellationToken"/> (fired when the budget runs out); a source that throws or overruns is
/// dropped for that request and the request still answers. Thread-safe; allocation-free per candidate.
/// </summary>
public interface ICandidateSource
{
    /// <summary>The name surfaces and responses use ("collaborative", "trending", ...).</summary>
    string Name { get; }

    /// <summary>Appends up to <see cref="CandidateList.Capacity"/> candidates to <paramref name="output"/>, best first.</summary>
    ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken);
}
