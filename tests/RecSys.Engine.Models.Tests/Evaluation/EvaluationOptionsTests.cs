using RecSys.Engine.Models.Evaluation;

namespace RecSys.Engine.Models.Tests.Evaluation;

public sealed class EvaluationOptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void K_below_one_is_refused_where_the_options_are_made_naming_K(int k)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluationOptions { K = k });
        Assert.Equal(nameof(EvaluationOptions.K), e.ParamName);
        Assert.Equal(k, e.ActualValue);
    }

    [Fact]
    public void K_defaults_to_10_and_takes_any_positive_length()
    {
        Assert.Equal(10, new EvaluationOptions().K);
        Assert.Equal(1, new EvaluationOptions { K = 1 }.K);
    }
}
