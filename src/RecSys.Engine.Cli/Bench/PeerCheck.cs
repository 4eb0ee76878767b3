using RecSys.Engine.Native.Peers;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// Whether each native peer library loads, asked once per library per command: a missing one is reported in one line
/// (what to install and run) and its indexes are left out, so the other indexes still run.
/// </summary>
internal sealed class PeerCheck(string? directory, TextWriter log)
{
    private readonly Dictionary<PeerLibrary, (bool Loaded, string Text)> _seen = [];

    /// <summary>True when the library loaded; <paramref name="description"/> is then its version and SIMD level.</summary>
    public bool Available(PeerLibrary library, out string description)
    {
        if (!_seen.TryGetValue(library, out var seen))
        {
            bool loaded = PeerLibraries.TryLoad(library, directory, out string text);
            seen = (loaded, text);
            _seen[library] = seen;
            if (!loaded)
                log.WriteLine($"[{library.ToString().ToLowerInvariant()}] skipped (the other indexes run): {text}");
        }
        description = seen.Text;
        return seen.Loaded;
    }
}
