using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RecSys.Engine.Native;

/// <summary>
/// Owns a LightGBM BoosterHandle and holds a reference on every dataset the booster reads (training and
/// validation): LightGBM keeps raw pointers to them, so they are released only after the booster is freed.
/// </summary>
internal sealed class LightGbmBoosterHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly List<SafeHandle> _datasets = [];

    public LightGbmBoosterHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Keeps <paramref name="dataset"/> alive until this booster is freed.</summary>
    internal void Retain(SafeHandle dataset)
    {
        bool added = false;
        dataset.DangerousAddRef(ref added);
        lock (_datasets)
            _datasets.Add(dataset);
    }

    protected override bool ReleaseHandle()
    {
        bool freed = LightGbmNative.BoosterFree(handle) == 0;
        lock (_datasets)
        {
            foreach (var dataset in _datasets)
                dataset.DangerousRelease();
            _datasets.Clear();
        }
        return freed;
    }
}
