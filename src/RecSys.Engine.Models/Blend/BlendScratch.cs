namespace RecSys.Engine.Models.Blend;

/// <summary>
/// Reusable buffers of one <see cref="RankFusion.Score(int, Span{float}, BlendScratch)"/> caller: a source's
/// score vector and the top-depth selection. Grown on demand, never shrunk; one per thread (not thread-safe).
/// </summary>
public sealed class BlendScratch
{
    internal float[] SourceScores = [];
    internal int[] Top = [];
    internal float[] Distances = [];
    internal long[] Ids = [];

    /// <summary>Makes room for a catalog of <paramref name="items"/> and a fusion depth of <paramref name="depth"/>.</summary>
    internal void Ensure(int items, int depth)
    {
        if (SourceScores.Length < items)
            SourceScores = new float[items];
        if (Top.Length < depth)
        {
            Top = new int[depth];
            Distances = new float[depth];
            Ids = new long[depth];
        }
    }
}
