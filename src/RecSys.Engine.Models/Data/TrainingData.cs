namespace RecSys.Engine.Models.Data;

/// <summary>
/// What every model trains on: the events (with timestamps, for decay), the users x items matrix built
/// from them, and optional metadata. The matrix is binary by default: the standard protocol counts every
/// rating as one positive interaction.
/// </summary>
public sealed class TrainingData
{
    public TrainingData(InteractionSet events, bool binary = true)
    {
        Events = events;
        Binary = binary;
        Matrix = InteractionMatrix.FromSet(events, binary);
    }

    public InteractionSet Events { get; }

    public bool Binary { get; }

    /// <summary>Users x items (all users and items of the id maps, including ones with no events here).</summary>
    public InteractionMatrix Matrix { get; }

    public int UserCount => Matrix.RowCount;

    public int ItemCount => Matrix.ColumnCount;

    public ItemCatalog? Catalog => Events.Catalog;

    public UserDemographics? Demographics => Events.Demographics;

    private InteractionMatrix? _itemsByUser;

    /// <summary>Items x users (built once, on first use).</summary>
    public InteractionMatrix Transposed => _itemsByUser ??= Matrix.Transpose();
}
