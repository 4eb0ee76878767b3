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
            Assert.Contains("--models: unknown model 'magic' (known: popularity, trending, itemknn, ease, als, content, blend, ranked, twotower)", stderr.ToString());
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<CliInputException>(() => EvalCommand.ParseModels(" , "));
    }
}
