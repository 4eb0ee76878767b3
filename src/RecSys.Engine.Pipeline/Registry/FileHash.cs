using System.Security.Cryptography;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>SHA-256 of a file, streamed (index and vector files run to gigabytes), as lowercase hex.</summary>
internal static class FileHash
{
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
