using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.PostProcess;

public sealed class RuleTests
{
    private static Func<PipelineConfig, PipelineConfig> Plain(params BusinessRule[] rules) => c => PipelineHarness.WithSurface(c, "home", s => s with
    {
        ExplorationShare = 0, CategoryCap = 0, MmrLambda = 1, Rules = rules,
    });

    [Fact]
    public async Task Pin_puts_an_item_at_its_position_even_when_no_source_found_it()
    {
        long user = PlantedCatalog.UserId(0);
        // Item 9 is category 1, far from user 0's taste (category 0) and no hit: no source would bring it.
        long pinned = PlantedCatalog.ItemId(9);
        await using var h = await PipelineHarness.CreateAsync(Plain(new BusinessRule { Kind = RuleKind.Pin, ItemId = pinned, Position = 2 }));
        var response = await h.RecommendAsync(user, k: 10);
        Assert.Equal(10, response.Items.Length);
        Assert.Equal(pinned, response.Items[2].ItemId);
        Assert.Single(response.Items, i => i.ItemId == pinned);
    }

    [Fact]
    public async Task A_pin_never_brings_back_an_item_the_user_has_seen()
    {
        int u = 0;
        long user = PlantedCatalog.UserId(u);
        await using var probe = await PipelineHarness.CreateAsync(Plain());
        long seen = probe.TrainingItems(u).First(); // an item user 0 interacted with in training
        long unseen = PlantedCatalog.ItemId(9);
        await using var h = await PipelineHarness.CreateAsync(Plain(
            new BusinessRule { Kind = RuleKind.Pin, ItemId = seen, Position = 0 }, new BusinessRule { Kind = RuleKind.Pin, ItemId = unseen, Position = 1 }));
        var response = await h.RecommendAsync(user, k: 10);
        Assert.Equal(10, response.Items.Length);
        Assert.DoesNotContain(response.Items, i => i.ItemId == seen);
        Assert.Equal(unseen, response.Items[1].ItemId); // the seen pin is skipped, the other still goes to its position

        // The same for an item seen after training: a click now.
        await h.Pipeline.RecordEventsAsync([new Abstractions.InteractionEvent(user, unseen, Features.Records.EventType.Click, 1f, h.NowMs)]);
        Assert.DoesNotContain((await h.RecommendAsync(user, k: 10)).Items, i => i.ItemId == unseen || i.ItemId == seen);
    }

    [Fact]
    public async Task A_pin_on_the_email_surface_is_sent_once_and_then_filtered_as_already_sent()
    {
        // Email filters what it already sent (FilterShownOnSurface): a pinned item goes out in one email, not in every one.
        long user = PlantedCatalog.UserId(0);
        long pinned = PlantedCatalog.ItemId(9);
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "email", s => s with
        {
            Rules = [new BusinessRule { Kind = RuleKind.Pin, ItemId = pinned, Position = 0 }],
        }));
        var first = await h.RecommendAsync(user, surface: "email", k: 10);
        Assert.Equal(pinned, first.Items[0].ItemId);
        // The email went out: its items are recorded as impressions with the email surface's code.
        int email = h.Pipeline.Version.Config.Surface("email").Code;
        await h.Pipeline.RecordEventsAsync([.. first.Items.Select(i => new Abstractions.InteractionEvent(user, i.ItemId, Features.Records.EventType.Impression, email, h.NowMs))]);
        var second = await h.RecommendAsync(user, surface: "email", k: 10);
        Assert.DoesNotContain(second.Items, i => i.ItemId == pinned);
    }

    [Fact]
    public async Task Exclude_drops_an_item_and_a_whole_category()
    {
        long user = PlantedCatalog.UserId(0);
        await using var plain = await PipelineHarness.CreateAsync(Plain());
        var before = await plain.RecommendAsync(user, k: 10);
        long top = before.Items[0].ItemId;

        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(Plain()(c), "home", s => s) with
        {
            Rules = [new BusinessRule { Kind = RuleKind.Exclude, ItemId = top }, new BusinessRule { Kind = RuleKind.Exclude, Category = PlantedCatalog.Category(0) }],
        });
        var after = await h.RecommendAsync(user, k: 10);
        Assert.Equal(10, after.Items.Length);
        Assert.DoesNotContain(after.Items, i => i.ItemId == top || PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId)) == 0);
        // An excluded item is never pinned either.
        await using var both = await PipelineHarness.CreateAsync(Plain(
            new BusinessRule { Kind = RuleKind.Exclude, ItemId = top }, new BusinessRule { Kind = RuleKind.Pin, ItemId = top, Position = 0 }));
        Assert.DoesNotContain((await both.RecommendAsync(user, k: 10)).Items, i => i.ItemId == top);
    }

    [Fact]
    public async Task Boost_lifts_and_bury_sinks()
    {
        long user = PlantedCatalog.UserId(0);
        await using var plain = await PipelineHarness.CreateAsync(Plain());
        var before = await plain.RecommendAsync(user, k: 30);
        long first = before.Items[0].ItemId, last = before.Items[^1].ItemId;

        await using var h = await PipelineHarness.CreateAsync(Plain(
            new BusinessRule { Kind = RuleKind.Bury, ItemId = first, Factor = 0.01f },
            new BusinessRule { Kind = RuleKind.Boost, ItemId = last, Factor = 100f }));
        var after = await h.RecommendAsync(user, k: 30);
        Assert.Equal(last, after.Items[0].ItemId);
        Assert.NotEqual(first, after.Items[0].ItemId);
        int buried = Array.FindIndex(after.Items, i => i.ItemId == first);
        Assert.True(buried < 0 || buried > 20, $"buried item at {buried}");
    }

    [Fact]
    public void Rules_are_validated_naming_the_field()
    {
        var bad = new PipelineConfig
        {
            Surfaces = [new SurfaceConfig { Name = "home", Code = 1, Sources = [new SourceConfig("popular", 10, TimeSpan.FromMilliseconds(10))] }],
            Rules = [new BusinessRule { Kind = RuleKind.Boost, ItemId = 1, Factor = 0.5f }],
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(bad.Validate);
        Assert.Equal("Factor", e.ParamName);
        var pin = bad with { Rules = [new BusinessRule { Kind = RuleKind.Pin, Category = "c1" }] };
        Assert.Equal("ItemId", Assert.Throws<ArgumentException>(pin.Validate).ParamName);
    }
}
