using System.Text.Json;

namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// What an exported tower reads and writes, kept in the .onnx file's metadata (<see cref="Onnx.OnnxMetadataKeys.TowerSchema"/>)
/// and as JSON beside it, so a loader can check a model before it serves:
/// <code>
///  inputs   features [rows x Features.Count] float (the columns named in Features, in order)
///           ids      [rows x IdSlots] int64 (item ordinals; PaddingId for an empty slot or an item without an embedding)
///  output   vectors  [rows x Dimension] float, unit length
/// </code>
/// Version 1; another version is refused.
/// </summary>
public sealed record TowerSchema
{
    public const string CurrentFormat = "recsys-tower";

    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string Format { get; init; } = CurrentFormat;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>"user" or "item".</summary>
    public required string Tower { get; init; }

    public required string FeaturesInput { get; init; }

    public required string IdsInput { get; init; }

    public required string Output { get; init; }

    public required IReadOnlyList<string> Features { get; init; }

    public required int IdSlots { get; init; }

    public required long PaddingId { get; init; }

    public required int Dimension { get; init; }

    public TowerKind Kind => Tower == "user" ? TowerKind.User : TowerKind.Item;

    /// <summary>The schema of <paramref name="tower"/> of a fitted model.</summary>
    public static TowerSchema Of(TwoTowerModel model, TowerKind tower)
    {
        ArgumentNullException.ThrowIfNull(model);
        bool user = tower == TowerKind.User;
        return new TowerSchema
        {
            Tower = user ? "user" : "item",
            FeaturesInput = user ? "user_features" : "item_features",
            IdsInput = user ? "history" : "item_id",
            Output = user ? "user_vector" : "item_vector",
            Features = [.. user ? model.Features.UserNames() : model.Features.ItemNames()],
            IdSlots = model.Layout(tower).IdSlots,
            PaddingId = model.PaddingId,
            Dimension = model.Dimension,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses and checks a schema; <paramref name="origin"/> names the source in errors.</summary>
    /// <exception cref="InvalidDataException">not a tower schema of this version, or a field out of range.</exception>
    public static TowerSchema FromJson(string json, string origin)
    {
        TowerSchema? schema;
        try
        {
            schema = JsonSerializer.Deserialize<TowerSchema>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: not a valid tower schema ({e.Message})", e);
        }
        if (schema is null || schema.Format != CurrentFormat)
            throw new InvalidDataException($"{origin}: not a RecSys tower schema (format '{schema?.Format}')");
        if (schema.Version != CurrentVersion)
            throw new InvalidDataException($"{origin}: tower schema version {schema.Version} is not supported (this build reads {CurrentVersion})");
        if (schema.Tower is not ("user" or "item"))
            throw new InvalidDataException($"{origin}: tower '{schema.Tower}' is neither 'user' nor 'item'");
        if (schema.Features is null || schema.Features.Count == 0 || schema.IdSlots < 1 || schema.Dimension < 1 || schema.PaddingId < 0)
            throw new InvalidDataException($"{origin}: tower schema needs features, id_slots >= 1, dimension >= 1 and padding_id >= 0");
        return schema;
    }

    /// <summary>The first way <paramref name="other"/> differs from this schema (null when they match), naming the field or feature.</summary>
    public string? FirstDifference(TowerSchema other)
    {
        if (Tower != other.Tower)
            return $"tower '{Tower}' vs '{other.Tower}'";
        for (int f = 0; f < Math.Min(Features.Count, other.Features.Count); f++)
        {
            if (Features[f] != other.Features[f])
                return $"feature {f} is '{Features[f]}' vs '{other.Features[f]}'";
        }
        if (Features.Count != other.Features.Count)
            return $"{Features.Count} features vs {other.Features.Count}";
        if (IdSlots != other.IdSlots || PaddingId != other.PaddingId || Dimension != other.Dimension)
            return $"id slots / padding id / dimension {IdSlots} / {PaddingId} / {Dimension} vs {other.IdSlots} / {other.PaddingId} / {other.Dimension}";
        return null;
    }
}
