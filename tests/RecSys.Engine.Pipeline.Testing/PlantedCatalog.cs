using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Pipeline.Tests.Support;

/// <summary>
/// The planted catalog at the end-to-end tests' size (400 items, 240 users, 12 favourites each, seed 7): the generator
/// and its rules are <see cref="PlantedTasteCatalog"/> (Models), which <c>recsys demo</c> serves at full size.
/// </summary>
public sealed class PlantedCatalog(int items = 400, int users = 240, int perUser = 12, ulong seed = 7)
    : PlantedTasteCatalog(items, users, perUser, seed);
