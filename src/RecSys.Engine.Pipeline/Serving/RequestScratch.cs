using RecSys.Engine.Models.Als;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>Everything one request writes, reused by the next: the request path allocates only what it returns.</summary>
internal sealed class RequestScratch
{
    public RequestContext Context { get; } = new();

    public CandidateSet Candidates { get; } = new();

    public RankerInput RankerInput { get; } = new();

    public PostProcessContext Post { get; } = new();

    public SourceRun[] Runs = new SourceRun[CandidateSet.MaxSources];

    public Task[] Tasks = new Task[CandidateSet.MaxSources];

    public CandidateList[] KeptLists = new CandidateList[CandidateSet.MaxSources];

    public string[] KeptNames = new string[CandidateSet.MaxSources];

    public int KeptCount;

    public bool[] Keep = new bool[64];

    public float[] Scores = new float[64];

    public float[] Column = new float[64];

    public int[] Order = new int[64];

    public FoldInScratch? FoldIn;

    /// <summary>The recent items' ALS rows, gathered for a request-time fold-in.</summary>
    public float[] FoldInRows = [];

    public SourceRun Run(int i) => Runs[i] ??= new SourceRun();

    public static T[] Ensure<T>(ref T[] buffer, int n)
    {
        if (buffer.Length < n)
            buffer = new T[Math.Max(n, buffer.Length * 2)];
        return buffer;
    }
}
