namespace RecSys.Engine.Models.Factory;

/// <summary>One entry of the <see cref="ModelKinds"/> registry.</summary>
public sealed record ModelKindInfo
{
    public required ModelKind Kind { get; init; }

    /// <summary>The name results, JSON, <c>--models</c> and blend weights use ("itemknn").</summary>
    public required string Name { get; init; }

    /// <summary>One line on what the model is and which <see cref="ModelSettings"/> it reads.</summary>
    public required string Summary { get; init; }

    /// <summary>It cannot be trained without item metadata (a catalog).</summary>
    public bool NeedsItemMetadata { get; init; }

    /// <summary>
    /// Builds the model from the settings; the blend takes its sources from the second argument when given
    /// (already trained), else builds its own.
    /// </summary>
    internal Func<ModelSettings, Func<ModelKind, IRecommender>?, IRecommender> Create { get; init; } = null!;
}
