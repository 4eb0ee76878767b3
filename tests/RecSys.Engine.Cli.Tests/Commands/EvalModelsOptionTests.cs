using System.CommandLine;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Models.Factory;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>`eval --models` is parsed once against the model registry.</summary>
public sealed class EvalModelsOptionTests
{
    [Fact]
    public void Names_parse_to_kinds_in_the_order_given()
    {
        Assert.Equal([ModelKind.Blend, ModelKind.Als, ModelKind.Popularity], EvalCommand.ParseModels("blend, als,popularity"));
        Assert.Equal("popularity,itemknn,ease,als,content,blend", string.Join(",", EvalCommand.DefaultModels.Select(m => m.Name())));
    }

    [Fact]
    public void An_unknown_name_exits_2_naming_models_and_listing_the_known_names()
    {
        string path = Path.Combine(Path.GetTempPath(), $"recsys-models-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "a,1\nb,1\na,2\n");
        try
        {
            var root = new RootCommand("test") { EvalCommand.Create() };
            var stderr = new StringWriter();
            int code = CliRunner.Run(root, ["eval", "--data", path, "--format", "csv", "--models", "als,magic"], new StringWriter(), stderr);
            Assert.Equal(CliRunner.ExitBadInput, code);
            Assert.Contains("--models: unknown model 'magic' (known: popularity, trending, itemknn, ease, als, content, blend, ranked, twotower, sequence)", stderr.ToString());
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<CliInputException>(() => EvalCommand.ParseModels(" , "));
    }

    [Fact]
    public void Gbdt_base_parses_feature_and_weight_and_a_bad_value_exits_2_naming_the_option()
    {
        var defaults = new RecSys.Engine.Models.Ranking.RankerTrainingOptions();
        Assert.Equal(("cf_score_z", 2.0), EvalCommand.ParseGbdtBase("cf_score_z:2", defaults));
        Assert.Equal(("source_als_score_z", 1.0), EvalCommand.ParseGbdtBase("source_als_score_z", defaults));
        Assert.Equal((null, defaults.Gbdt.BaseWeight), EvalCommand.ParseGbdtBase("none", defaults with { GbdtBaseFeature = "cf_score_z" }));
        Assert.Equal((defaults.GbdtBaseFeature, defaults.Gbdt.BaseWeight), EvalCommand.ParseGbdtBase(null, defaults));
        Assert.Contains("--gbdt-base", Assert.Throws<CliInputException>(() => EvalCommand.ParseGbdtBase("cf_score_z:x", defaults)).Message);
        Assert.Contains("--gbdt-base", Assert.Throws<CliInputException>(() => EvalCommand.ParseGbdtBase(":2", defaults)).Message);
        Assert.Contains("--gbdt-base", Assert.Throws<CliInputException>(() => EvalCommand.ParseGbdtBase("a:1:2", defaults)).Message);
    }
}
