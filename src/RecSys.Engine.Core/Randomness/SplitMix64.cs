namespace RecSys.Engine.Core.Randomness;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, 2014) exactly as datasets/SYNTHETIC.md specifies it.
/// The state is a plain counter advanced by a fixed odd constant, so jumping ahead by any
/// number of draws is one multiply (<see cref="Skip"/>): that is what lets generation run in
/// parallel chunks and still produce the same bytes as a single sequential pass.
/// </summary>
/// <remarks>A mutable struct: copy it and the copy continues the same sequence independently.</remarks>
public struct SplitMix64
{
    private const ulong Gamma = 0x9E3779B97F4A7C15;

    /// <summary>2^-53: maps the top 53 bits of a draw onto [0, 1) without rounding.</summary>
    private const double TwoPowMinus53 = 1.0 / 9007199254740992.0;

    private ulong _state;

    public SplitMix64(ulong state) => _state = state;

    /// <summary>The raw state; the next draw first adds the gamma constant to it.</summary>
    public readonly ulong State => _state;

    public ulong Next()
    {
        unchecked
        {
            _state += Gamma;
            ulong z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
    }

    /// <summary>A uniform double in [0, 1): the top 53 bits of one draw, exactly (one draw, no rounding).</summary>
    public double NextDouble() => (Next() >> 11) * TwoPowMinus53;

    /// <summary>
    /// One standard normal by Box-Muller, taking exactly two draws and keeping the cosine half.
    /// The recipe fixes every operation (u1 is shifted by one so the log never sees zero), so
    /// do not "simplify" it: any change alters the generated files' SHA-256.
    /// </summary>
    public double NextGaussian()
    {
        double u1 = ((Next() >> 11) + 1) * TwoPowMinus53;
        double u2 = (Next() >> 11) * TwoPowMinus53;
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Advances the state as if <paramref name="draws"/> calls to <see cref="Next"/> had been made.</summary>
    public void Skip(ulong draws)
    {
        unchecked
        {
            _state += draws * Gamma;
        }
    }
}
