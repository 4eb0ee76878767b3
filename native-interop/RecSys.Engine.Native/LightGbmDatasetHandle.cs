using Microsoft.Win32.SafeHandles;

namespace RecSys.Engine.Native;

/// <summary>
/// Owns a LightGBM DatasetHandle: freed exactly once, on Dispose or by the finalizer, also when the code that
/// created it threw. A booster built on the dataset adds a reference (<see cref="SafeHandle.DangerousAddRef"/>),
/// so the native dataset outlives every booster that reads it, whatever order the managed objects go in.
/// </summary>
internal sealed class LightGbmDatasetHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public LightGbmDatasetHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle() => LightGbmNative.DatasetFree(handle) == 0;
}
