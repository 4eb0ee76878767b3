using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.ColdStart;

/// <summary>
/// The item fold-in tests' story on the registry rig: an item of category <see cref="Taste"/> added after training, clicked
/// by users whose favourite that category is.
/// </summary>
internal static class NewItemScenario
{
    public const long NewItem = 9_000_001;
    public const int Taste = 2;

    /// <summary>The planted users whose favourite category is <see cref="Taste"/>, in order.</summary>
    public static List<int> Fans(RegistryRig rig) => [.. Enumerable.Range(0, rig.Planted.Users).Where(u => PlantedCatalog.Favourite(u) == Taste)];

    public static Task AddNewItemAsync(ServingState state, long id = NewItem) =>
        state.Pipeline.UpsertItemAsync(id, new ItemAttributes { Title = "a live item", Categories = [PlantedCatalog.Category(Taste)] }).AsTask();

    public static Task ClickAsync(ServingState state, RegistryRig rig, int user, long id = NewItem) =>
        state.Pipeline.RecordEventsAsync([new InteractionEvent(PlantedCatalog.UserId(user), id, EventType.Click, 1f, rig.NowMs)]).AsTask();

    public static int OrdinalOf(ServingState state, long id = NewItem) =>
        state.Catalog.Items.TryGetOrdinal(id, out int o) ? o : throw new InvalidOperationException($"no item {id}");

    /// <summary>Adds <see cref="NewItem"/> and a click on it from each of the first <paramref name="clicks"/> fans; returns the fans.</summary>
    public static async Task<List<int>> AddItemClickedByFansAsync(ServingState state, RegistryRig rig, int clicks)
    {
        await AddNewItemAsync(state);
        var fans = Fans(rig);
        foreach (int fan in fans.Take(clicks))
            await ClickAsync(state, rig, fan);
        return fans;
    }

    /// <summary>The new item's position among the collaborative source's candidates for <paramref name="user"/> (-1: absent).</summary>
    public static async Task<int> CollaborativeRankAsync(ServingState state, RegistryRig rig, int user)
    {
        var response = await state.Pipeline.RecommendAsync(rig.Request(user) with { Debug = true });
        return Array.IndexOf(response.Trace!.Stage("source:" + SourceNames.Collaborative)!.ItemIds, NewItem);
    }

    /// <summary>Asserts that most of 8 fans who never clicked the item (the 4th to 11th) have it among their collaborative candidates.</summary>
    public static async Task AssertFansFindItAsync(ServingState state, RegistryRig rig)
    {
        int found = 0;
        foreach (int fan in Fans(rig).Skip(3).Take(8))
            found += await CollaborativeRankAsync(state, rig, fan) >= 0 ? 1 : 0;
        Assert.True(found >= 6, $"{found} of 8 users of the item's taste have it among their collaborative candidates");
    }
}
