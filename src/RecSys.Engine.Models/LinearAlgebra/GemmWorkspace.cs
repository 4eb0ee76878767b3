using System.Runtime.CompilerServices;

namespace RecSys.Engine.Models.LinearAlgebra;

/// <summary>
/// The shared packed-B buffer of <see cref="PackedGemm"/> (KC x NC doubles, 2 MB at most), kept across the
/// many products of one factorisation instead of being allocated per call. Pinned (pinned object heap),
/// so its address is stable while the kernels read it. One workspace per concurrent caller.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    private double[] _packB = [];

    public double* PackB(int length)
    {
        if (_packB.Length < length)
            _packB = GC.AllocateUninitializedArray<double>(length, pinned: true);
        return (double*)Unsafe.AsPointer(ref _packB[0]);
    }
}
