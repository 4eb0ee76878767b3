namespace RecSys.Engine.Server.Hosting;

/// <summary>A server option is missing or wrong; <see cref="Key"/> names it as the config file spells it ("Server:Auth:Keys:0:Key").</summary>
public sealed class ServerConfigException(string key, string message) : Exception(message)
{
    /// <summary>The configuration key (or file) at fault.</summary>
    public string Key { get; } = key;
}
