using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>`eval --tune` validates on the test protocol applied again inside the training part.</summary>
public sealed class ValidationSplitTests
{
    /// <summary>Users u0..u3 with 12 events each at distinct times (event e of user u at 100 e + u).</summary>
    private static InteractionSet Events()
    {
        var builder = new InteractionSetBuilder();
        for (int e = 0; e < 12; e++)
        {
            for (int u = 0; u < 4; u++)
                builder.Add($"u{u}", $"i{(e * 5 + u) % 30}", 1f, 100 * e + u);
        }
        return builder.Build();
    }

    private static int[] PerUser(InteractionSet set, int users) =>
        Enumerable.Range(0, users).Select(u => set.UserOrdinals.Count(x => x == u)).ToArray();

    [Fact]
    public void Temporal_HoldsOutEachUsersLastTrainingEvents()
    {
        var all = Events();
        var parts = EvalCommand.ParseSplit("temporal:2", 42)(all);
        var validation = EvalCommand.ValidationSplit("temporal:2", 42, parts.Test.Count / (double)all.Count)(parts.Train);
        Assert.Equal([8, 8, 8, 8], PerUser(validation.Train, 4));
        Assert.Equal([2, 2, 2, 2], PerUser(validation.Test, 4));
        // The held-out events are each user's 9th and 10th: the newest the training part has.
        Assert.All(validation.Test.Timestamps.ToArray(), t => Assert.InRange(t, 800, 999));
    }

    [Fact]
    public void Random_SplitsTheTrainingPartByTheSameFraction_WithItsOwnSeed()
    {
        var all = Events();
        var parts = EvalCommand.ParseSplit("random:0.75", 42)(all);
        var validation = EvalCommand.ValidationSplit("random:0.75", 42, parts.Test.Count / (double)all.Count)(parts.Train);
        Assert.Equal([9, 9, 9, 9], PerUser(parts.Train, 4));
        Assert.Equal([7, 7, 7, 7], PerUser(validation.Train, 4)); // round(9 * 0.75)
        Assert.Equal(parts.Train.Count, validation.Train.Count + validation.Test.Count);
        var sameSeed = Splitter.RandomPerUser(parts.Train, 0.75, 42);
        Assert.NotEqual(sameSeed.Test.ItemOrdinals.ToArray(), validation.Test.ItemOrdinals.ToArray());
    }

    [Fact]
    public void Cut_HoldsOutTheTrainingPartsLatestEvents_InTheTestShare()
    {
        var all = Events();
        var parts = EvalCommand.ParseSplit("cut:900", 42)(all); // events 9..11 of every user: a quarter
        double share = parts.Test.Count / (double)all.Count;
        Assert.Equal(0.25, share);
        var validation = EvalCommand.ValidationSplit("cut:900", 42, share)(parts.Train);
        // A quarter of the 36 training events, the latest 9 (times 603..803), and nothing of them in the fit part.
        Assert.Equal(9, validation.Test.Count);
        long earliestHeldOut = validation.Test.Timestamps.ToArray().Min();
        Assert.All(validation.Train.Timestamps.ToArray(), t => Assert.True(t < earliestHeldOut));
        Assert.All(validation.Test.Timestamps.ToArray(), t => Assert.InRange(t, 600, 899));
    }
}
