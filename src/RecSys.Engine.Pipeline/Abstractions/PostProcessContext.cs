using RecSys.Engine.Pipeline.Collections;

namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// What post-processing stages work on: the request, the ranked candidate set (scores adjustable by score
/// stages), the list being shaped (list stages), and the trace when the request asked for debug.
/// </summary>
public sealed class PostProcessContext
{
    internal PostProcessContext()
    {
    }

    public RequestContext Request { get; private set; } = null!;

    public CandidateSet Candidates { get; private set; } = null!;

    public RankedList Ranked { get; } = new();

    /// <summary>The rules in force (pipeline-wide, then the surface's), categories resolved.</summary>
    public ReadOnlySpan<PostProcess.CompiledRule> Rules => _rules;

    /// <summary>Where stages write a line when they act (exploration propensities); null = no logging.</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; private set; }

    private PostProcess.CompiledRule[] _rules = [];

    /// <summary>Set once score stages are done: the candidates by score, best first (what list stages start from).</summary>
    public ReadOnlySpan<int> ByScore => _byScore.AsSpan(0, _byScoreCount);

    internal int[] _byScore = new int[64];
    internal int _byScoreCount;
    internal float[] FloatScratch = new float[64];
    internal float[] FloatScratch2 = new float[64];
    internal int[] IntScratch = new int[64];
    internal readonly OrdinalMap Map = new();
    internal readonly DescendingScoreOrder Order = new();

    internal void Begin(RequestContext request, CandidateSet candidates, PostProcess.CompiledRule[] rules, Microsoft.Extensions.Logging.ILogger? logger)
    {
        Request = request;
        Candidates = candidates;
        _rules = rules;
        Logger = logger;
        _byScoreCount = 0;
        Ranked.Clear(Math.Max(request.K, 1) + 8);
    }

    /// <summary>Sorts the candidates by their current score (highest first) into <see cref="ByScore"/>.</summary>
    internal void SortByScore(float[] scores)
    {
        int n = Candidates.Count;
        if (_byScore.Length < n)
            _byScore = new int[n];
        for (int i = 0; i < n; i++)
            _byScore[i] = i;
        Order.Sort(_byScore.AsSpan(0, n), scores);
        _byScoreCount = n;
    }

    internal static float[] Ensure(ref float[] buffer, int n)
    {
        if (buffer.Length < n)
            buffer = new float[Math.Max(n, buffer.Length * 2)];
        return buffer;
    }

    internal static int[] Ensure(ref int[] buffer, int n)
    {
        if (buffer.Length < n)
            buffer = new int[Math.Max(n, buffer.Length * 2)];
        return buffer;
    }
}
