using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// A store's data directory and the crash images taken of it: copies of every file made while the store is open and
/// no write is in flight, which is what a kill -9 at that moment leaves behind. Disposing deletes them all.
/// </summary>
internal sealed class CrashImages : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<TempDirectory> _images = [];

    /// <summary>The store's data directory.</summary>
    public string Path => _dir.Path;

    /// <summary>Copies the data directory as it is on disk now; returns the copy's path.</summary>
    public string Take()
    {
        var image = new TempDirectory();
        _images.Add(image);
        foreach (string f in Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories))
        {
            string target = System.IO.Path.Combine(image.Path, System.IO.Path.GetRelativePath(_dir.Path, f));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
        return image.Path;
    }

    public void Dispose()
    {
        _dir.Dispose();
        foreach (var d in _images) d.Dispose();
    }
}
