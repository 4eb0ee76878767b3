namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>
/// LightGBM's decision_type byte, kept as LightGBM stores it (include/LightGBM/tree.h): bit 0 categorical, bit 1
/// default left, bits 2-3 the missing type. Only numerical splits are read here.
/// </summary>
internal static class LightGbmDecision
{
    internal const byte CategoricalMask = 1;
    internal const byte DefaultLeftMask = 2;

    public static byte Make(bool defaultLeft, LightGbmMissingType missing) =>
        (byte)((defaultLeft ? DefaultLeftMask : 0) | ((int)missing << 2));

    public static bool DefaultLeft(byte decision) => (decision & DefaultLeftMask) != 0;

    public static LightGbmMissingType MissingType(byte decision) => (LightGbmMissingType)((decision >> 2) & 3);

    public static bool IsValid(byte decision) => (decision & CategoricalMask) == 0 && (decision >> 2) <= (int)LightGbmMissingType.NaN;
}
