using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Experiments;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Registry;

/// <summary>
/// "After the first events a fold-in gives a CF vector, and the very next request uses it", on every version that
/// serves: the active one, one an experiment variant is pinned to, and one swapped in after the events. Events fold
/// in with the active version's ALS only (the store keeps one vector per user), so the others fold in at request time.
/// </summary>
public sealed class FoldInAcrossVersionsTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    private const int Clicked = 12;

    /// <summary>How many of the collaborative source's first 20 candidates for <paramref name="user"/> are in <paramref name="category"/>.</summary>
    private static async Task<(int InCategory, string? Variant, string Version)> CollaborativeShareAsync(ServingState state, RegistryRig rig, int user, int category)
    {
        var response = await state.Pipeline.RecommendAsync(rig.Request(user) with { Debug = true });
        var ids = response.Trace!.Stage("source:" + SourceNames.Collaborative)!.ItemIds.Take(20);
        return (ids.Count(id => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(id)) == category), response.Variant, response.Version);
    }

    /// <summary><see cref="Clicked"/> clicks on items of <paramref name="category"/> the user never had.</summary>
    private static List<InteractionEvent> Clicks(RegistryRig rig, int user, int category) =>
        [.. Enumerable.Range(0, rig.Planted.Items).Where(i => PlantedCatalog.CategoryOf(i) == category).Skip(3).Take(Clicked)
            .Select(i => new InteractionEvent(PlantedCatalog.UserId(user), PlantedCatalog.ItemId(i), EventType.Click, 1f, rig.NowMs))];

    [Fact]
    public async Task A_version_trained_on_the_users_events_serves_its_trained_row_though_another_model_folded_them_in()
    {
        // After a retrain that saw the events, the new model's trained row is the better vector (and costs no solve).
        // Events no later than v2's training data, recorded (and folded in) while v1 is active, leave v2's answer as it
        // was: v2 does not fold in afresh for them.
        using var rig = new RegistryRig(trained);
        await using var state = await CreateWithV2Async(rig);
        int user = 7;
        async Task<long[]> CfListAsync() =>
            (await state.Pipeline.RecommendAsync(rig.Request(user) with { Debug = true })).Trace!.Stage("source:" + SourceNames.Collaborative)!.ItemIds[..20];
        await state.ActivateAsync("v2");
        long[] before = await CfListAsync();
        await state.ActivateAsync("v1");
        // Re-clicks of items the user already had (the seen set stays as it was), timed within the training data.
        long trainedUntilMs = rig.Planted.MaxTimestampSeconds * 1000;
        await state.Pipeline.RecordEventsAsync([.. TrainingItemsOf(rig, user).Take(3).Select(id => new InteractionEvent(PlantedCatalog.UserId(user), id, EventType.Click, 1f, trainedUntilMs - 1000))]);
        Assert.NotNull(await state.Store.GetCfVectorAsync(PlantedCatalog.UserId(user))); // v1 folded them in

        await state.ActivateAsync("v2");
        Assert.Equal(before, await CfListAsync());
    }

    [Theory]
    [InlineData(1_700_000_000L, 1_700_000_000_000L)] // seconds, as the training summary keeps them
    [InlineData(0L, 0L)] // not known
    [InlineData(1_700_000_000_000L, 0L)] // milliseconds read as seconds: not known, rather than "trained on everything"
    public void The_training_cutoff_comes_from_seconds_and_a_millisecond_file_counts_as_unknown(long lastEventSeconds, long expectedMs) =>
        Assert.Equal(expectedMs, ServingModels.TrainedUntilFromSeconds(lastEventSeconds));

    private static List<long> TrainingItemsOf(RegistryRig rig, int user)
    {
        var events = rig.Planted.Data.Events;
        Assert.True(events.Users.TryGetOrdinal(PlantedCatalog.UserId(user).ToString(System.Globalization.CultureInfo.InvariantCulture), out int u));
        var items = new List<long>();
        foreach (int item in rig.Planted.Data.Matrix.Columns(u))
            items.Add(long.Parse(events.Items[item], System.Globalization.CultureInfo.InvariantCulture));
        return items;
    }

    /// <summary>v1 active; v2 the same data with another ALS model (seed 4), so another vector space and tag.</summary>
    private async Task<ServingState> CreateWithV2Async(RegistryRig rig)
    {
        var state = await rig.CreateAsync();
        rig.AddVersion("v2", trained.Models with { Als = TrainedModels.Train(rig.Planted.Data, TrainedPlanted.Settings(seed: 4)).Als });
        return state;
    }

    private static int OtherCategory(int user) => (PlantedCatalog.Favourite(user) + 3) % PlantedCatalog.Categories;

    [Fact]
    public async Task Events_move_the_CF_candidates_in_a_variant_pinned_to_another_version_as_in_the_active_one()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await CreateWithV2Async(rig);
        await state.SetExperimentsAsync([new ExperimentConfig
        {
            Name = "als",
            Salt = "fold",
            Surfaces = ["home"],
            Variants = [new() { Name = "control", Share = 0.5 }, new() { Name = "v2", Share = 0.5, Version = "v2" }],
        }]);

        var checkedVariants = new HashSet<string>();
        for (int user = 0; user < 60 && checkedVariants.Count < 2; user++)
        {
            int category = OtherCategory(user);
            var before = await CollaborativeShareAsync(state, rig, user, category);
            if (!checkedVariants.Add(before.Variant!))
                continue;
            await state.Pipeline.RecordEventsAsync(Clicks(rig, user, category));
            var after = await CollaborativeShareAsync(state, rig, user, category);
            Assert.Equal(before.Variant, after.Variant);
            Assert.True(after.InCategory >= 8 && after.InCategory > before.InCategory + 4,
                $"variant {before.Variant} ({before.Version}), user {user}: {before.InCategory} of 20 CF candidates in category {category} before the clicks, {after.InCategory} after");
        }
        Assert.Equal(["control", "v2"], checkedVariants.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Events_recorded_before_a_swap_move_the_CF_candidates_of_the_version_swapped_in()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await CreateWithV2Async(rig);
        int user = 5, category = OtherCategory(user);
        await state.ActivateAsync("v2");
        var before = await CollaborativeShareAsync(state, rig, user, category); // v2's trained vector
        await state.ActivateAsync("v1");
        await state.Pipeline.RecordEventsAsync(Clicks(rig, user, category)); // folded in by v1's ALS
        int untouched = 6, untouchedCategory = OtherCategory(untouched);

        await state.ActivateAsync("v2");
        var after = await CollaborativeShareAsync(state, rig, user, category);
        Assert.Equal("default/v2", after.Version);
        Assert.True(after.InCategory >= before.InCategory + 4,
            $"v2: {before.InCategory} of 20 CF candidates in category {category} before the clicks, {after.InCategory} after clicks recorded on v1");
        // A user without events still gets v2's trained vector: their candidates stay with their own favourite.
        var plain = await CollaborativeShareAsync(state, rig, untouched, untouchedCategory);
        Assert.True(plain.InCategory <= 4, $"{plain.InCategory} of 20 CF candidates of a user without events in a category they never had");
    }
}
