namespace RecSys.Engine.Server.Diagnostics;

/// <summary>
/// The machine's CPU time totals, all cores together, in seconds (from the first line of /proc/stat): busy (user, nice,
/// system, irq, softirq), idle, I/O wait, and steal (time the hypervisor gave this VM's vCPUs to someone else). Steal
/// and I/O wait matter here: on a 2-vCPU VM a queue that builds while this process is not using the cores is taken by
/// the hypervisor, another process or the disk, and refusing calls is then the only help there is.
/// </summary>
public readonly record struct MachineCpuTimes(double Busy, double Idle, double IoWait, double Steal)
{
    /// <summary>No reading (not Linux, or /proc/stat unreadable).</summary>
    public static MachineCpuTimes Unknown { get; } = new(double.NaN, double.NaN, double.NaN, double.NaN);

    public bool IsKnown => !double.IsNaN(Busy);
}
