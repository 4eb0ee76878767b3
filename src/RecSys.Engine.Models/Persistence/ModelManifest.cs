namespace RecSys.Engine.Models.Persistence;

/// <summary>
/// manifest.json of a model directory: what kind of model, its hyper-parameters (as strings, so every model
/// kind fits one schema), sizes, and the files beside it.
/// </summary>
public sealed record ModelManifest
{
    public const string FileName = "manifest.json";
    public const string CurrentFormat = "recsys-model";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = CurrentFormat;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>"als", "ease", "content", "itemknn", "popularity" (popularity and trending) or "blend".</summary>
    public required string Kind { get; init; }

    public required int Users { get; init; }

    public required int Items { get; init; }

    public required int Dimension { get; init; }

    public Dictionary<string, string> Parameters { get; init; } = [];

    /// <summary>Where this manifest was read from (for error messages); not stored.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string SourcePath { get; init; } = ModelManifest.FileName;

    /// <summary>Role -> file name (e.g. "item_vectors" -> "item_vectors.vec").</summary>
    public Dictionary<string, string> Files { get; init; } = [];
}
