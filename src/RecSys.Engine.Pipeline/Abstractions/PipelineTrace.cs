namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>What a relevance engineer needs to see why an item came out (or did not): every stage's list in order.</summary>
public sealed class PipelineTrace
{
    private readonly List<StageTrace> _stages = [];

    public IReadOnlyList<StageTrace> Stages => _stages;

    public StageTrace? Stage(string name)
    {
        foreach (var s in _stages)
        {
            if (s.Stage == name)
                return s;
        }
        return null;
    }

    internal void Add(StageTrace stage) => _stages.Add(stage);
}
