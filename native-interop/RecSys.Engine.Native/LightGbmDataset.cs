namespace RecSys.Engine.Native;

/// <summary>
/// A LightGBM training or validation set built from a dense row-major float matrix, with its labels and query
/// groups. Dispose frees the native copy (LightGBM bins the matrix at creation and keeps no pointer to the
/// managed array); a booster that uses the set keeps the native side alive until it is disposed itself.
/// </summary>
public sealed unsafe class LightGbmDataset : IDisposable
{
    private LightGbmDataset(LightGbmDatasetHandle handle, int rows, int columns)
    {
        Handle = handle;
        Rows = rows;
        Columns = columns;
    }

    public int Rows { get; }

    public int Columns { get; }

    internal LightGbmDatasetHandle Handle { get; }

    /// <summary>
    /// Bins <paramref name="matrix"/> (<paramref name="rows"/> x <paramref name="columns"/>, row-major) with
    /// LightGBM's dataset <paramref name="parameters"/> ("key=value key=value"). A validation set passes the
    /// training set as <paramref name="reference"/> so both use the same bin boundaries.
    /// </summary>
    public static LightGbmDataset FromMatrix(ReadOnlySpan<float> matrix, int rows, int columns, string parameters, LightGbmDataset? reference = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if ((long)rows * columns != matrix.Length)
            throw new ArgumentException($"{rows} x {columns} does not match {matrix.Length} values", nameof(matrix));
        LightGbmDatasetHandle handle;
        int rc;
        // The reference may be null, which the SafeHandle marshaller does not take: pass its raw value, held
        // for the duration of the call. LightGBM copies the bin mappers and keeps no pointer to it.
        bool held = false;
        try
        {
            reference?.Handle.DangerousAddRef(ref held);
            nint referenceHandle = held ? reference!.Handle.DangerousGetHandle() : 0;
            fixed (float* data = matrix)
                rc = LightGbmNative.DatasetCreateFromMat(data, LightGbmNative.DTypeFloat32, rows, columns, 1, parameters, referenceHandle, out handle);
        }
        finally
        {
            if (held)
                reference!.Handle.DangerousRelease();
        }
        if (rc != 0)
        {
            handle.Dispose();
            LightGbmException.ThrowOnError(rc, "LGBM_DatasetCreateFromMat");
        }
        return new LightGbmDataset(handle, rows, columns);
    }

    /// <summary>One label per row (LightGBM's "label" field; for lambdarank, integer relevance grades).</summary>
    public void SetLabels(ReadOnlySpan<float> labels)
    {
        if (labels.Length != Rows)
            throw new ArgumentException($"{labels.Length} labels for {Rows} rows", nameof(labels));
        fixed (float* p = labels)
            LightGbmException.ThrowOnError(LightGbmNative.DatasetSetField(Handle, "label", p, labels.Length, LightGbmNative.DTypeFloat32), "LGBM_DatasetSetField(label)");
    }

    /// <summary>
    /// Query sizes in row order (LightGBM's "group" field): the first <c>groupSizes[0]</c> rows are one query,
    /// the next <c>groupSizes[1]</c> the next, and so on. LightGBM checks that they add up to <see cref="Rows"/>.
    /// </summary>
    public void SetGroups(ReadOnlySpan<int> groupSizes)
    {
        fixed (int* p = groupSizes)
            LightGbmException.ThrowOnError(LightGbmNative.DatasetSetField(Handle, "group", p, groupSizes.Length, LightGbmNative.DTypeInt32), "LGBM_DatasetSetField(group)");
    }

    /// <summary>
    /// One starting raw score per row (LightGBM's "init_score" field, float64): boosting starts from these margins
    /// instead of 0, so the trees learn corrections to them. LightGBM's predictions leave it out; a caller adds it back.
    /// </summary>
    public void SetInitScore(ReadOnlySpan<double> initScore)
    {
        if (initScore.Length != Rows)
            throw new ArgumentException($"{initScore.Length} init scores for {Rows} rows", nameof(initScore));
        fixed (double* p = initScore)
            LightGbmException.ThrowOnError(LightGbmNative.DatasetSetField(Handle, "init_score", p, initScore.Length, LightGbmNative.DTypeFloat64), "LGBM_DatasetSetField(init_score)");
    }

    public void Dispose() => Handle.Dispose();
}
