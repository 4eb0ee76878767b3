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
    private readonly ApiKey[] _keys;

    /// <summary>A configured key without its secret: its name and roles.</summary>
    public sealed record ApiKey(string Name, ApiRole[] Roles);

    /// <summary>The keys of validated options.</summary>
    public ApiKeyRing(IReadOnlyList<ApiKeyOptions> keys)
    {
        _keys = [.. keys.Select((k, i) => new ApiKey(k.Name, k.ParseRoles($"Server:Auth:Keys:{i}")))];
        _digests = [.. keys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Key)))];
    }

    /// <summary>The key <paramref name="presented"/> matches, or null.</summary>
    public ApiKey? Find(string presented)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        int written = SHA256.HashData(Encoding.UTF8.GetBytes(presented), digest);
        ApiKey? match = null;
        for (int i = 0; i < _digests.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(digest[..written], _digests[i]))
                match = _keys[i];
        }
        return match;
    }
}
