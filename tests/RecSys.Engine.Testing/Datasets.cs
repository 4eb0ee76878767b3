using Xunit;

namespace RecSys.Engine.Testing;

/// <summary>
/// The real data sets the tests read (never committed here): under $RECSYS_DATASETS when it is set (a checkout away
/// from the shared folder), else shared/datasets beside the repository, found by walking up from the test binaries.
/// A test that needs one fails and says where it looked rather than skip.
/// </summary>
public static class Datasets
{
    /// <summary>MovieLens 100K (GroupLens): the folder holding u.data.</summary>
    public static string MovieLens100K() => Find("ml-100k", "u.data");

    /// <summary>MNIST t10k in IDX format: the folder holding the image file.</summary>
    public static string Mnist() => Find("mnist", MnistImagesFile);

    /// <summary>The IDX image file name inside the MNIST folder.</summary>
    public const string MnistImagesFile = "t10k-images-idx3-ubyte.gz";

    private static string Find(string name, string marker)
    {
        string? root = Environment.GetEnvironmentVariable("RECSYS_DATASETS");
        if (!string.IsNullOrEmpty(root))
        {
            string given = System.IO.Path.Combine(root, name);
            Assert.True(File.Exists(System.IO.Path.Combine(given, marker)), $"RECSYS_DATASETS={root}: {given}/{marker} not found");
            return given;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared", "datasets", name);
            if (File.Exists(System.IO.Path.Combine(candidate, marker)))
                return candidate;
        }
        Assert.Fail($"shared/datasets/{name}/{marker} not found above {AppContext.BaseDirectory}; set RECSYS_DATASETS to the datasets folder");
        return "";
    }
}
