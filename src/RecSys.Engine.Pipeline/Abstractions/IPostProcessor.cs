namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// A post-ranking stage (freshness, business rules, diversity, exploration). Stages run in a fixed order on one
/// <see cref="PostProcessContext"/>: score stages adjust <see cref="CandidateSet.Scores"/> before the list is
/// sorted; list stages then edit the ranked list (<see cref="PostProcessContext.Ranked"/>) down to k entries.
/// </summary>
public interface IPostProcessor
{
    string Name { get; }

    void Process(PostProcessContext context);
}
