using RecSys.Engine.LoadGen;

namespace RecSys.Engine.LoadTest.Tests;

public sealed class LoadSideTaskArgumentsTests
{
    private static LoadOptions Parse(params string[] args) => LoadArguments.Parse(["--target", "127.0.0.1:50051", .. args]);

    [Fact]
    public void Activate_and_freshness_land_in_the_options()
    {
        var o = Parse("--duration", "30s", "--activate", "ivfpq@10", "--admin-key", "admin-key-0123456789", "--freshness", "on");
        Assert.Equal(("ivfpq", 10.0), (o.ActivateVersion, o.ActivateAtS));
        Assert.Equal("admin-key-0123456789", o.AdminKey);
        Assert.True(o.Freshness);
        Assert.False(Parse().Freshness);
        Assert.Null(Parse().ActivateVersion);
    }

    [Theory]
    [InlineData("--activate", "ivfpq")]
    [InlineData("--activate", "@5")]
    [InlineData("--activate", "ivfpq@30")]
    [InlineData("--activate", "ivfpq@soon")]
    [InlineData("--freshness", "yes")]
    [InlineData("--admin-key", "has space")]
    public void A_bad_value_names_its_flag(string flag, string value)
    {
        var e = Assert.Throws<LoadArgumentException>(() => Parse("--duration", "30s", flag, value));
        Assert.Contains(flag, e.Message);
    }

    [Theory]
    [InlineData("hnsw-1m-swap")]
    [InlineData("ivfpq-1m-swap")]
    [InlineData("hnsw-1m-events")]
    [InlineData("ivfpq-1m-events")]
    [InlineData("hnsw-1m-overload")]
    public void The_1m_presets_parse(string scenario)
    {
        var o = Parse("--scenario", scenario);
        Assert.Equal(scenario, o.Scenario);
        Assert.Equal(new IdRange(1, 1_000_000), o.Users);
    }
}
