using System.Security.Cryptography;
using System.Text;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.Server.Auth;

/// <summary>
/// The configured keys as SHA-256 digests. A presented key is hashed and compared with every digest in constant time
/// (<see cref="CryptographicOperations.FixedTimeEquals"/>, no early exit), so neither the comparison nor the number of
/// keys tried leaks how much of a key was right; hashing first also makes every comparison the same length.
/// </summary>
internal sealed class ApiKeyRing
{
    private readonly byte[][] _digests;
    private readonly ApiKeyOptions[] _keys;

    public ApiKeyRing(IReadOnlyList<ApiKeyOptions> keys)
    {
        _keys = [.. keys];
        _digests = [.. _keys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Key)))];
    }

    /// <summary>The key <paramref name="presented"/> matches, or null.</summary>
    public ApiKeyOptions? Find(string presented)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        int written = SHA256.HashData(Encoding.UTF8.GetBytes(presented), digest);
        ApiKeyOptions? match = null;
        for (int i = 0; i < _digests.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(digest[..written], _digests[i]))
                match = _keys[i];
        }
        return match;
    }
}
