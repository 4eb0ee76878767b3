using System.Reflection;
using System.Runtime.InteropServices;

namespace RecSys.Engine.Native.Peers;

/// <summary>
/// Finds and loads the peer libraries that native-interop/peers/build.sh builds. They are optional: nothing here
/// throws when one is missing; <see cref="TryLoad"/> says so in one line that names what to install and run.
/// </summary>
/// <remarks>
/// The libraries are looked for in the folder the caller names (`bench ann --peers-dir`), else
/// <c>$RECSYS_PEERS_DIR</c>, else the <c>native-interop/peers/build</c> folder of the first checkout above the running
/// binary. A library is loaded once per process (the runtime binds its LibraryImport stubs to the first handle), so a
/// later look in another folder that holds another copy is refused rather than silently served by the first.
/// </remarks>
public static class PeerLibraries
{
    /// <summary>The script that builds the libraries, relative to the repository root.</summary>
    public const string BuildScript = "native-interop/peers/build.sh";

    /// <summary>The environment variable that names the folder when the caller names none.</summary>
    public const string DirectoryVariable = "RECSYS_PEERS_DIR";

    private static readonly object Gate = new();
    private static readonly Dictionary<string, (string Path, nint Handle, string Description)> Loaded = [];

    static PeerLibraries() => NativeLibrary.SetDllImportResolver(typeof(PeerLibraries).Assembly, Resolve);

    /// <summary>The folder <see cref="TryLoad"/> looks in: <paramref name="directory"/> when given, else $RECSYS_PEERS_DIR, else the checkout's.</summary>
    public static string SearchDirectory(string? directory = null)
    {
        string? chosen = directory ?? Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrEmpty(chosen))
            return Path.GetFullPath(chosen);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, BuildScript)))
                return Path.Combine(dir.FullName, "native-interop", "peers", "build");
        }
        return Path.GetFullPath(Path.Combine("native-interop", "peers", "build"));
    }

    /// <summary>The library's file name, e.g. librecsys_peer_hnswlib.so.</summary>
    public static string FileName(PeerLibrary library) => $"lib{NativeName(library)}.so";

    /// <summary>The Debian package that holds what the library is built from.</summary>
    public static string Package(PeerLibrary library) => library == PeerLibrary.Hnswlib ? "libhnswlib-dev" : "libfaiss-dev";

    /// <summary>
    /// Loads <paramref name="library"/> if it is built; <paramref name="text"/> is then the library's own description
    /// (version, the SIMD level its kernels were compiled for), and otherwise one line saying why not and how to get it.
    /// </summary>
    /// <param name="directory">The folder to load from; null = the library this process already loaded, else
    /// <see cref="SearchDirectory"/>'s default.</param>
    public static bool TryLoad(PeerLibrary library, string? directory, out string text)
    {
        string name = NativeName(library);
        lock (Gate)
        {
            if (directory is null && Loaded.TryGetValue(name, out var current))
            {
                text = current.Description;
                return true;
            }
        }
        string howTo = $"apt-get install -y g++ {Package(library)} && {BuildScript}";
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            text = $"{FileName(library)}: the native peers are built for Linux x64 only (this is {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture})";
            return false;
        }
        string path = Path.Combine(SearchDirectory(directory), FileName(library));
        if (!File.Exists(path))
        {
            text = $"{FileName(library)} not found in {Path.GetDirectoryName(path)}; to build it: {howTo}";
            return false;
        }
        lock (Gate)
        {
            if (Loaded.TryGetValue(name, out var loaded))
            {
                text = loaded.Path == path
                    ? loaded.Description
                    : $"{FileName(library)}: this process already loaded {loaded.Path} and cannot load a second copy from {path}";
                return loaded.Path == path;
            }
            if (library == PeerLibrary.Faiss)
            {
                // Before libgomp loads with the FAISS shim (it reads this once): see faiss_peer.cpp, wait_policy().
                LibC.SetEnv("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
            }
            nint handle;
            try
            {
                handle = NativeLibrary.Load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                text = $"{path} does not load ({e.Message.ReplaceLineEndings(" ")}); rebuild it: {howTo}";
                return false;
            }
            Loaded[name] = (path, handle, "");
            try
            {
                string description = Marshal.PtrToStringUTF8(library == PeerLibrary.Hnswlib ? PeerNative.HnswlibDescribe() : PeerNative.FaissDescribe()) ?? "";
                Loaded[name] = (path, handle, description);
                text = description;
                return true;
            }
            catch (EntryPointNotFoundException e)
            {
                Loaded.Remove(name);
                text = $"{path} is an older build ({e.Message.ReplaceLineEndings(" ")}); rebuild it: {BuildScript}";
                return false;
            }
        }
    }

    /// <summary>Loads the library and returns its description, or throws <see cref="InvalidOperationException"/> with <see cref="TryLoad"/>'s line.</summary>
    public static string Require(PeerLibrary library, string? directory = null) =>
        TryLoad(library, directory, out string text) ? text : throw new InvalidOperationException(text);

    private static string NativeName(PeerLibrary library) => library == PeerLibrary.Hnswlib ? PeerNative.Hnswlib : PeerNative.Faiss;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        lock (Gate)
            return Loaded.TryGetValue(name, out var loaded) ? loaded.Handle : 0;
    }
}
