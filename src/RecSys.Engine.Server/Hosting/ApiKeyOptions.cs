using RecSys.Engine.Server.Auth;

namespace RecSys.Engine.Server.Hosting;

/// <summary>One API key: who holds it (for logs; the key itself is never logged) and what it may do.</summary>
public sealed record ApiKeyOptions
{
    /// <summary>A name for logs and metrics ("web-frontend").</summary>
    public string Name { get; init; } = "";

    /// <summary>The secret, at least 16 characters (use 32 random bytes, base64).</summary>
    public string Key { get; init; } = "";

    /// <summary>
    /// Names of <see cref="ApiRole"/>s, in any case: "Read" (Recommend, SimilarItems, SearchVectors, Rank), "Write" (events,
    /// items, users), "Admin" (models, stats, checkpoints, bulk loads). Strings, so a wrong name is refused naming its key.
    /// </summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The shortest key accepted.</summary>
    public const int MinKeyLength = 16;

    internal void Validate(string key)
    {
        if (string.IsNullOrWhiteSpace(Name))
            throw new ServerConfigException($"{key}:Name", $"{key}:Name is required");
        if (Key is null || Key.Length < MinKeyLength)
            throw new ServerConfigException($"{key}:Key", $"{key}:Key must be at least {MinKeyLength} characters");
        if (Key.Any(char.IsWhiteSpace))
            throw new ServerConfigException($"{key}:Key", $"{key}:Key must not contain white space");
        ParseRoles(key);
    }

    /// <summary>The roles as <see cref="ApiRole"/> values; a missing or unknown name is refused naming its key.</summary>
    internal ApiRole[] ParseRoles(string key)
    {
        if (Roles is null || Roles.Count == 0)
            throw new ServerConfigException($"{key}:Roles", $"{key}:Roles must name at least one of Read, Write, Admin");
        var roles = new ApiRole[Roles.Count];
        for (int i = 0; i < roles.Length; i++)
        {
            if (!Enum.TryParse(Roles[i], ignoreCase: true, out roles[i]) || !Enum.IsDefined(roles[i]) || int.TryParse(Roles[i], out _))
                throw new ServerConfigException($"{key}:Roles:{i}", $"{key}:Roles:{i}: unknown role '{Roles[i]}' (Read, Write, Admin)");
        }
        return roles;
    }
}
