namespace RecSys.Engine.Server.Hosting;

/// <summary>TLS on the gRPC endpoint (HTTP/2 over TLS with ALPN). Off by default: plaintext h2c on loopback.</summary>
public sealed record TlsOptions
{
    /// <summary>Serve TLS instead of h2c. Needs <see cref="CertificatePath"/>.</summary>
    public bool Enabled { get; init; }

    /// <summary>The server certificate: a PEM file (with <see cref="KeyPath"/>) or a PKCS#12 (.pfx / .p12) file (with <see cref="Password"/> if it has one).</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The PEM private key of a PEM certificate; null for a PKCS#12 file or a PEM that holds the key too.</summary>
    public string? KeyPath { get; init; }

    /// <summary>The PKCS#12 password, or the PEM key's password; null = none.</summary>
    public string? Password { get; init; }

    internal void Validate(string key)
    {
        if (!Enabled)
            return;
        if (string.IsNullOrWhiteSpace(CertificatePath))
            throw new ServerConfigException($"{key}:CertificatePath", $"{key}:CertificatePath is required when {key}:Enabled is true");
        if (!File.Exists(CertificatePath))
            throw new ServerConfigException($"{key}:CertificatePath", $"{key}:CertificatePath '{CertificatePath}' does not exist");
        if (KeyPath is not null && !File.Exists(KeyPath))
            throw new ServerConfigException($"{key}:KeyPath", $"{key}:KeyPath '{KeyPath}' does not exist");
    }
}
