using System.Runtime.InteropServices;

namespace RecSys.Engine.Native;

/// <summary>
/// Raw libc bindings. "libc" is mapped by the runtime to the platform's C library (libc.so.6 on glibc).
/// Callers go through <see cref="MemoryHints"/>, which checks the platform and turns errno into a reason.
/// </summary>
internal static unsafe partial class LibC
{
    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    internal static partial int Madvise(void* address, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "mlock", SetLastError = true)]
    internal static partial int Mlock(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "munlock", SetLastError = true)]
    internal static partial int Munlock(void* address, nuint length);

    /// <summary>setenv(3): the process environment native libraries read (.NET's Environment keeps its own copy on Unix).</summary>
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int SetEnv(string name, string value, int overwrite);
}
