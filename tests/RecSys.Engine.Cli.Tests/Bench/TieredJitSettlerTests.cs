using System.Linq.Expressions;
using RecSys.Engine.Cli.Bench;

namespace RecSys.Engine.Cli.Tests.Bench;

public sealed class TieredJitSettlerTests
{
    [Fact]
    public async Task ARoundThatCompilesEveryTime_NeverSettles_AndStopsAtItsCaps()
    {
        // Each round compiles a new lambda, so no round is quiet: the settling must stop at its round or time cap and say
        // that it did not settle (a settler that ignored the count would report true after the first round).
        int rounds = 0;
        var result = await TieredJitSettler.SettleAsync(_ =>
        {
            int n = Interlocked.Increment(ref rounds);
            var x = Expression.Parameter(typeof(int));
            var f = Expression.Lambda<Func<int, int>>(Expression.Add(x, Expression.Constant(n)), x).Compile(preferInterpretation: false);
            Assert.Equal(n + 1, f(1));
            return Task.CompletedTask;
        }, maxRounds: 3, quietMethods: 0, maxTime: TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.False(result.Settled);
        Assert.Equal(rounds, result.Rounds);
        Assert.InRange(result.Rounds, 1, 3);
        Assert.True(result.LastRoundMethods >= 1, $"last round compiled {result.LastRoundMethods}");
        Assert.True(result.MethodsCompiled >= result.Rounds, $"{result.MethodsCompiled} methods in {result.Rounds} rounds");
    }

    [Fact]
    public async Task ARoundUnderTheThreshold_EndsTheSettling()
    {
        int rounds = 0;
        var result = await TieredJitSettler.SettleAsync(_ =>
        {
            rounds++;
            return Task.CompletedTask;
        }, maxRounds: 5, quietMethods: int.MaxValue, maxTime: TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.True(result.Settled);
        Assert.Equal(1, result.Rounds);
        Assert.Equal(1, rounds);
    }

    [Fact]
    public async Task NoRounds_IsNotSettled()
    {
        var result = await TieredJitSettler.SettleAsync(_ => throw new InvalidOperationException("no round may run"), maxRounds: 0, quietMethods: 0, maxTime: TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.False(result.Settled);
        Assert.Equal(0, result.Rounds);
        Assert.Equal(0, result.LastRoundMethods);
    }
}
