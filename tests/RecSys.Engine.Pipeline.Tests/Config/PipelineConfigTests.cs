using RecSys.Engine.Pipeline.Config;

namespace RecSys.Engine.Pipeline.Tests.Config;

public sealed class PipelineConfigTests
{
    private static SurfaceConfig Surface(string name = "home", int code = 1) =>
        new() { Name = name, Code = code, Sources = [new SourceConfig("popular", 10, TimeSpan.FromMilliseconds(20))] };

    [Fact]
    public void Bad_values_are_refused_naming_the_field()
    {
        Assert.Equal("DefaultK", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig { Surfaces = [Surface() with { DefaultK = 0 }] }.Validate).ParamName);
        Assert.Equal("MmrLambda", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig { Surfaces = [Surface() with { MmrLambda = 1.5f }] }.Validate).ParamName);
        Assert.Equal("Budget", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig
        {
            Surfaces = [Surface() with { Sources = [new SourceConfig("popular", 10, TimeSpan.Zero)] }],
        }.Validate).ParamName);
        // A budget past the bound would otherwise be refused by the request's timer, at the first request.
        Assert.Equal("Budget", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig
        {
            Surfaces = [Surface() with { Sources = [new SourceConfig("popular", 10, SourceConfig.MaxBudget + TimeSpan.FromTicks(1))] }],
        }.Validate).ParamName);
        new PipelineConfig { Surfaces = [Surface() with { Sources = [new SourceConfig("popular", 10, SourceConfig.MaxBudget)] }] }.Validate();
        Assert.Equal("Count", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig
        {
            Surfaces = [Surface() with { Sources = [new SourceConfig("popular", -1, TimeSpan.FromMilliseconds(20))] }],
        }.Validate).ParamName);
        Assert.Equal("Surfaces", Assert.Throws<ArgumentException>(new PipelineConfig { Surfaces = [Surface(), Surface("email", 1)] }.Validate).ParamName);
        Assert.Equal("ExplorationShare", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig { Surfaces = [Surface() with { ExplorationShare = 1f }] }.Validate).ParamName);
        Assert.Equal("ExplorationPool", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig { Surfaces = [Surface() with { ExplorationPool = -1 }] }.Validate).ParamName);
        Assert.Equal("ExplorationEstablishedImpressions", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig { Surfaces = [Surface() with { ExplorationEstablishedImpressions = -1 }] }.Validate).ParamName);
        Assert.Equal("ExplorationPick", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig { Surfaces = [Surface() with { ExplorationPick = (ExplorationPick)7 }] }.Validate).ParamName);
        Assert.Equal("ExplorationPlacement", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig { Surfaces = [Surface() with { ExplorationPlacement = (ExplorationPlacement)5 }] }.Validate).ParamName);
        Assert.Equal("ExplorationEpsilon", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig { Surfaces = [Surface() with { ExplorationEpsilon = 1.5f }] }.Validate).ParamName);
        Assert.Equal("SeenWindow", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig { Surfaces = [Surface()], SeenWindow = -1 }.Validate).ParamName);
        Assert.Equal("SeenOverfetch", Assert.Throws<ArgumentOutOfRangeException>(new PipelineConfig { Surfaces = [Surface()], SeenOverfetch = -1 }.Validate).ParamName);
        new PipelineConfig { Surfaces = [Surface(), Surface("email", 3)] }.Validate();
        // One impression code per surface, and "no surface": at most 15 surfaces.
        new PipelineConfig { Surfaces = [.. Enumerable.Range(1, 15).Select(c => Surface($"s{c}", c))] }.Validate();
        var e = Assert.Throws<ArgumentException>(new PipelineConfig { Surfaces = [.. Enumerable.Range(1, 16).Select(c => Surface($"s{c}", c))] }.Validate);
        Assert.Equal("Surfaces", e.ParamName);
        Assert.Contains("16 surfaces", e.Message);
    }

    [Fact]
    public void An_unknown_surface_names_the_argument_and_the_known_ones()
    {
        var config = new PipelineConfig { Surfaces = [Surface(), Surface("email", 3)] };
        var e = Assert.Throws<ArgumentException>(() => config.Surface("search"));
        Assert.Equal("surface", e.ParamName);
        Assert.Contains("home, email", e.Message);
        Assert.Same(config.Surfaces[1], config.Surface("email"));
    }
}
