namespace RecSys.Engine.Models.Als;

/// <summary>
/// Reusable buffers for one ALS row solve (k x k system in double, CG vectors, confidences), so a serving
/// thread can fold users in without allocating per call.
/// </summary>
public sealed class FoldInScratch
{
    public FoldInScratch(int factors, int events = 128)
    {
        Factors = factors;
        A = new double[factors * factors];
        B = new double[factors];
        Yt = new float[factors * AlsKernels.ExactBlock];
        Wt = new float[factors * AlsKernels.ExactBlock];
        Cg = new float[3 * factors];
        Confidence = new float[Math.Max(events, 1)];
    }

    /// <summary>The factor count it is sized for: a solve of another model's needs another scratch (<see cref="For"/>).</summary>
    public int Factors { get; }

    /// <summary><paramref name="scratch"/> when it fits <paramref name="factors"/>, else a new one put there (a thread's scratch meeting models of other sizes).</summary>
    public static FoldInScratch For(ref FoldInScratch? scratch, int factors) =>
        scratch is { } s && s.Factors == factors ? s : scratch = new FoldInScratch(factors, 128);

    internal double[] A { get; }

    internal double[] B { get; }

    internal float[] Yt { get; }

    internal float[] Wt { get; }

    internal float[] Cg { get; }

    internal float[] Confidence { get; private set; }

    private int[] _identity = [];

    internal void EnsureEvents(int events)
    {
        if (Confidence.Length < events)
            Confidence = new float[Math.Max(events, Confidence.Length * 2)];
    }

    /// <summary>0, 1, .., count - 1: the indices of rows the caller gathered in order.</summary>
    internal ReadOnlySpan<int> Identity(int count)
    {
        if (_identity.Length < count)
        {
            _identity = new int[Math.Max(count, _identity.Length * 2)];
            for (int i = 0; i < _identity.Length; i++)
                _identity[i] = i;
        }
        return _identity.AsSpan(0, count);
    }
}
