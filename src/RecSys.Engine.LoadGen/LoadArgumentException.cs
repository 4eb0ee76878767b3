namespace RecSys.Engine.LoadGen;

/// <summary>A bad flag: the message names it and says why. The commands turn it into exit code 2.</summary>
public sealed class LoadArgumentException(string flag, string message) : Exception($"{flag}: {message}")
{
    /// <summary>The flag at fault, e.g. <c>--rate</c>.</summary>
    public string Flag { get; } = flag;
}
