namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// API keys: a call to a recsys.v1 service carries one in the <c>x-api-key</c> metadata header (or
/// <c>authorization: Bearer KEY</c>); the key's roles must include the role of the method (read, write, admin). Health
/// checks and reflection answer without a key.
/// </summary>
public sealed record AuthOptions
{
    /// <summary>
    /// Require a key. Default true. Turning it off is an explicit choice (anyone who reaches the port may write and
    /// administer); the server logs a warning at start when it is off.
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The accepted keys. With auth on, at least one.</summary>
    public IReadOnlyList<ApiKeyOptions> Keys { get; init; } = [];

    internal void Validate(string key)
    {
        if (Keys is null)
            throw new ServerConfigException($"{key}:Keys", $"{key}:Keys must not be null");
        if (Enabled && Keys.Count == 0)
            throw new ServerConfigException($"{key}:Keys", $"{key}:Keys is empty while {key}:Enabled is true: add a key, or set Enabled to false explicitly");
        var names = new HashSet<string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Keys.Count; i++)
        {
            string at = $"{key}:Keys:{i}";
            var k = Keys[i] ?? throw new ServerConfigException(at, $"{at} must not be null");
            k.Validate(at);
            if (!names.Add(k.Name))
                throw new ServerConfigException($"{at}:Name", $"{at}:Name '{k.Name}' is used by another key");
            if (!secrets.Add(k.Key))
                throw new ServerConfigException($"{at}:Key", $"{at}:Key is the same as another key's");
        }
    }
}
