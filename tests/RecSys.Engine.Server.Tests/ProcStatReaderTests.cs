using System.Text;
using RecSys.Engine.Server.Diagnostics;

namespace RecSys.Engine.Server.Tests;

/// <summary>The machine's CPU totals from /proc/stat: parsed from kernel lines of several ages, refused when malformed, read live on Linux.</summary>
public sealed class ProcStatReaderTests
{
    [Fact]
    public void The_aggregate_cpu_line_gives_busy_idle_iowait_and_steal_in_seconds()
    {
        var t = ProcStatReader.Parse(Encoding.ASCII.GetBytes("cpu  649171 176 316887 759589 34757 0 17314 1644 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"));
        Assert.True(t.IsKnown);
        Assert.Equal((649171 + 176 + 316887 + 0 + 17314) / 100.0, t.Busy, 6);
        Assert.Equal(7595.89, t.Idle, 6);
        Assert.Equal(347.57, t.IoWait, 6);
        Assert.Equal(16.44, t.Steal, 6);
    }

    [Fact]
    public void An_old_kernel_line_without_steal_reads_steal_as_zero()
    {
        var t = ProcStatReader.Parse("cpu 10 0 20 30 4 0 0\n"u8);
        Assert.True(t.IsKnown);
        Assert.Equal(0.30, t.Busy, 6);
        Assert.Equal(0, t.Steal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("cpu0 1 2 3 4 5 6 7 8\n")]      // a per-core line, not the aggregate
    [InlineData("cpu  1 2 x 4 5 6 7 8\n")]      // not a number
    [InlineData("cpu  1 2 3\n")]                // too few fields
    [InlineData("intr 1 2 3 4 5\n")]
    public void Anything_else_is_unknown(string text)
    {
        Assert.False(ProcStatReader.Parse(Encoding.ASCII.GetBytes(text)).IsKnown);
    }

    [Fact]
    public void On_linux_the_live_file_reads_and_its_totals_do_not_go_back()
    {
        using var reader = new ProcStatReader();
        var first = reader.Read();
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(first.IsKnown);
            return;
        }
        Assert.True(first.IsKnown);
        Assert.True(first.Busy + first.Idle > 0);
        var second = reader.Read(); // the same open file, read again from offset 0
        Assert.True(second.IsKnown);
        Assert.True(second.Busy >= first.Busy); // (idle can step back on some kernels' tickless accounting: not asserted)
    }

    [Fact]
    public void A_missing_file_reads_unknown()
    {
        using var reader = new ProcStatReader(Path.Combine(Path.GetTempPath(), $"no-proc-stat-{Guid.NewGuid():N}"));
        Assert.False(reader.Read().IsKnown);
    }
}
