using RecSys.Engine.LoadGen;

namespace RecSys.Engine.LoadTest.Tests;

public sealed class LoadScheduleTests
{
    [Theory]
    [InlineData(50, 2.0, 100)]
    [InlineData(50, 0.1, 5)]
    [InlineData(3, 1.0, 3)]
    [InlineData(3, 0.9, 2)]
    [InlineData(0.5, 10.0, 5)]
    [InlineData(1000, 0.0, 0)]
    public void Count_is_the_whole_requests_due_in_the_span(double rate, double seconds, long expected) =>
        Assert.Equal(expected, LoadSchedule.Count(rate, TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Requests_are_due_at_even_steps_of_one_over_the_rate()
    {
        // 50 req/s on a microsecond clock: every 20,000 us, from 0.
        Assert.Equal(0, LoadSchedule.DueTicks(0, 50, 1_000_000));
        Assert.Equal(20_000, LoadSchedule.DueTicks(1, 50, 1_000_000));
        Assert.Equal(2_000_000, LoadSchedule.DueTicks(100, 50, 1_000_000));
        // 3 req/s: thirds of a second, rounded to the nearest tick, with no drift after many steps.
        Assert.Equal(333_333, LoadSchedule.DueTicks(1, 3, 1_000_000));
        Assert.Equal(666_667, LoadSchedule.DueTicks(2, 3, 1_000_000));
        Assert.Equal(1_000_000_000, LoadSchedule.DueTicks(3_000, 3, 1_000_000));
        // A nanosecond clock (Stopwatch on Linux) at the largest run: 10M requests at 50,000 req/s end at 200 s.
        Assert.Equal(200_000_000_000, LoadSchedule.DueTicks(10_000_000, 50_000, 1_000_000_000));
    }

    [Fact]
    public void Latency_counts_from_the_due_time_not_the_send()
    {
        // Due at 100, sent late at 400 (every slot was busy), answered at 450: the user waited 350, not 50.
        Assert.Equal(350, LoadSchedule.LatencyTicks(100, 450));
        Assert.Equal(0, LoadSchedule.LatencyTicks(100, 100));
    }

    [Fact]
    public void Warm_up_and_measured_counts_and_the_time_bound_follow_the_options()
    {
        var options = new LoadOptions
        {
            Target = new Uri("http://127.0.0.1:1"), Duration = TimeSpan.FromSeconds(2), WarmUp = TimeSpan.FromSeconds(0.5), Timeout = TimeSpan.FromSeconds(3),
        };
        Assert.Equal((25L, 100L), options.Counts(50));
        // 125 requests at 50/s end at 2.5 s; one deadline (3 s) and a second of slack after that.
        Assert.Equal(TimeSpan.FromSeconds(6.5), options.TimeBound(50));
        // A duration shorter than one step still measures one request.
        Assert.Equal(1, (options with { Duration = TimeSpan.FromMilliseconds(1) }).Counts(50).Measured);
    }
}
