using System.Text;

namespace RecSys.Engine.Native;

/// <summary>
/// A LightGBM booster: trains one iteration at a time on a <see cref="LightGbmDataset"/>, reports its metrics on
/// the training set (index 0) and each validation set (1, 2, ...), dumps the model as JSON and predicts raw
/// scores. Not thread-safe; one trainer drives it.
/// </summary>
public sealed unsafe class LightGbmBooster : IDisposable
{
    private readonly LightGbmBoosterHandle _handle;
    private int _validationSets;

    private LightGbmBooster(LightGbmBoosterHandle handle) => _handle = handle;

    /// <summary>LightGBM's booster over <paramref name="train"/> with <paramref name="parameters"/> ("key=value key=value").</summary>
    public static LightGbmBooster Create(LightGbmDataset train, string parameters)
    {
        ArgumentNullException.ThrowIfNull(train);
        int rc = LightGbmNative.BoosterCreate(train.Handle, parameters, out var handle);
        if (rc != 0)
        {
            handle.Dispose();
            LightGbmException.ThrowOnError(rc, "LGBM_BoosterCreate");
        }
        handle.Retain(train.Handle);
        return new LightGbmBooster(handle);
    }

    /// <summary>Adds a validation set (built with the training set as its reference); it gets data index 1, 2, ... in <see cref="GetEvaluation"/>.</summary>
    public int AddValidation(LightGbmDataset validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        LightGbmException.ThrowOnError(LightGbmNative.BoosterAddValidData(_handle, validation.Handle), "LGBM_BoosterAddValidData");
        _handle.Retain(validation.Handle);
        return ++_validationSets;
    }

    /// <summary>Trains one boosting iteration. Returns false when the new tree had no split (nothing left to learn).</summary>
    public bool UpdateOneIteration()
    {
        LightGbmException.ThrowOnError(LightGbmNative.BoosterUpdateOneIter(_handle, out int emptyTree), "LGBM_BoosterUpdateOneIter");
        return emptyTree == 0;
    }

    /// <summary>Iterations trained so far.</summary>
    public int CurrentIteration
    {
        get
        {
            LightGbmException.ThrowOnError(LightGbmNative.BoosterGetCurrentIteration(_handle, out int n), "LGBM_BoosterGetCurrentIteration");
            return n;
        }
    }

    /// <summary>How many metric values each <see cref="GetEvaluation"/> call writes (one per metric and cut-off, e.g. ndcg@5, ndcg@10).</summary>
    public int EvaluationCount
    {
        get
        {
            LightGbmException.ThrowOnError(LightGbmNative.BoosterGetEvalCounts(_handle, out int n), "LGBM_BoosterGetEvalCounts");
            return n;
        }
    }

    /// <summary>The current metric values on data set <paramref name="dataIndex"/> (0 training, 1.. validation), in parameter order.</summary>
    public void GetEvaluation(int dataIndex, Span<double> results)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dataIndex, _validationSets);
        if (results.Length < EvaluationCount)
            throw new ArgumentException($"room for {results.Length} results, the booster reports {EvaluationCount}", nameof(results));
        fixed (double* p = results)
            LightGbmException.ThrowOnError(LightGbmNative.BoosterGetEval(_handle, dataIndex, out _, p), "LGBM_BoosterGetEval");
    }

    /// <summary>The model's first <paramref name="iterations"/> iterations (all when 0 or less) as LightGBM's JSON dump.</summary>
    public string DumpModelJson(int iterations = 0)
    {
        LightGbmException.ThrowOnError(LightGbmNative.BoosterDumpModel(_handle, 0, iterations, 0, 0, out long length, null), "LGBM_BoosterDumpModel");
        // The length counts the terminating NUL. The model cannot change between the two calls (single owner).
        var buffer = new byte[length];
        fixed (byte* p = buffer)
            LightGbmException.ThrowOnError(LightGbmNative.BoosterDumpModel(_handle, 0, iterations, 0, buffer.Length, out length, p), "LGBM_BoosterDumpModel");
        int end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }

    /// <summary>
    /// Raw scores (sum of leaf values, no transform) of the first <paramref name="iterations"/> iterations (all
    /// when 0 or less) for a row-major <paramref name="rows"/> x <paramref name="columns"/> matrix.
    /// </summary>
    public void PredictRaw(ReadOnlySpan<float> matrix, int rows, int columns, Span<double> scores, int iterations = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if ((long)rows * columns != matrix.Length)
            throw new ArgumentException($"{rows} x {columns} does not match {matrix.Length} values", nameof(matrix));
        // LightGBM writes as many values as it says here (rows x classes), so check the room before the call.
        LightGbmException.ThrowOnError(
            LightGbmNative.BoosterCalcNumPredict(_handle, rows, LightGbmNative.PredictRawScore, 0, iterations, out long needed), "LGBM_BoosterCalcNumPredict");
        if (needed != rows)
            throw new NotSupportedException($"the booster predicts {needed} values for {rows} rows (a multi-class model?); only one score per row is supported");
        if (scores.Length < rows)
            throw new ArgumentException($"room for {scores.Length} scores, {rows} rows given", nameof(scores));
        fixed (float* data = matrix)
        fixed (double* output = scores)
        {
            LightGbmException.ThrowOnError(
                LightGbmNative.BoosterPredictForMat(_handle, data, LightGbmNative.DTypeFloat32, rows, columns, 1, LightGbmNative.PredictRawScore,
                    0, iterations, "", out long written, output),
                "LGBM_BoosterPredictForMat");
            if (written != rows)
                throw new LightGbmException($"LGBM_BoosterPredictForMat wrote {written} scores for {rows} rows");
        }
    }

    public void Dispose() => _handle.Dispose();
}
