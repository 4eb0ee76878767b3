using System.Runtime.InteropServices;

namespace RecSys.Engine.Native;

/// <summary>
/// Raw bindings to the part of LightGBM's C API (include/LightGBM/c_api.h, 4.7.0) the GBDT ranker uses.
/// Every function returns 0 on success and -1 on failure, with the reason in <see cref="GetLastError"/>
/// (thread-local in LightGBM, so it is read on the failing thread). Callers go through
/// <see cref="LightGbmDataset"/> and <see cref="LightGbmBooster"/>, which own the handles and turn -1 into
/// <see cref="LightGbmException"/>.
/// </summary>
/// <remarks>
/// "lib_lightgbm" resolves to lib_lightgbm.so, which the LightGBM NuGet package ships as a runtime asset
/// (runtimes/linux-x64/native); the host finds it through the app's deps.json.
/// </remarks>
internal static unsafe partial class LightGbmNative
{
    private const string Library = "lib_lightgbm";

    internal const int DTypeFloat32 = 0;
    internal const int DTypeFloat64 = 1;
    internal const int DTypeInt32 = 2;
    internal const int PredictRawScore = 1;

    [LibraryImport(Library, EntryPoint = "LGBM_GetLastError")]
    internal static partial nint GetLastError();

    [LibraryImport(Library, EntryPoint = "LGBM_DatasetCreateFromMat", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int DatasetCreateFromMat(float* data, int dataType, int rows, int columns, int isRowMajor,
        string parameters, nint reference, out LightGbmDatasetHandle dataset);

    [LibraryImport(Library, EntryPoint = "LGBM_DatasetSetField", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int DatasetSetField(LightGbmDatasetHandle dataset, string fieldName, void* data, int count, int type);

    [LibraryImport(Library, EntryPoint = "LGBM_DatasetFree")]
    internal static partial int DatasetFree(nint dataset);

    [LibraryImport(Library, EntryPoint = "LGBM_BoosterCreate", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int BoosterCreate(LightGbmDatasetHandle train, string parameters, out LightGbmBoosterHandle booster);

    [LibraryImport(Library, EntryPoint = "LGBM_BoosterAddValidData")]
    internal static partial int BoosterAddValidData(LightGbmBoosterHandle booster, LightGbmDatasetHandle validation);

    [LibraryImport(Library, EntryPoint = "LGBM_BoosterUpdateOneIter")]
    internal static partial int BoosterUpdateOneIter(LightGbmBoosterHandle booster, out int producedEmptyTree);

    [LibraryImport(Library, EntryPoint = "LGBM_BoosterGetCurrentIteration")]
    internal static partial int BoosterGetCurrentIteration(LightGbmBoosterHandle booster, out int iteration);

    [LibraryImport(Library, EntryPoint = "LGBM_BoosterGetEvalCounts")]
    internal static partial int BoosterGetEvalCounts(LightGbmBoosterHandle booster, out int count);

    [LibraryImport(Library, EntryPoint = "LGBM_BoosterGetEval")]
    internal static partial int BoosterGetEval(LightGbmBoosterHandle booster, int dataIndex, out int count, double* results);

    [LibraryImport(Library, EntryPoint = "LGBM_BoosterDumpModel")]
    internal static partial int BoosterDumpModel(LightGbmBoosterHandle booster, int startIteration, int iterationCount,
        int featureImportanceType, long bufferLength, out long length, byte* buffer);

    [LibraryImport(Library, EntryPoint = "LGBM_BoosterPredictForMat", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int BoosterPredictForMat(LightGbmBoosterHandle booster, float* data, int dataType, int rows, int columns,
        int isRowMajor, int predictType, int startIteration, int iterationCount, string parameters, out long length, double* results);

    [LibraryImport(Library, EntryPoint = "LGBM_BoosterCalcNumPredict")]
    internal static partial int BoosterCalcNumPredict(LightGbmBoosterHandle booster, int rows, int predictType, int startIteration,
        int iterationCount, out long length);

    [LibraryImport(Library, EntryPoint = "LGBM_BoosterFree")]
    internal static partial int BoosterFree(nint booster);
}
