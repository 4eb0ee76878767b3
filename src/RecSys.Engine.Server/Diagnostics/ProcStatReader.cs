using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;

namespace RecSys.Engine.Server.Diagnostics;

/// <summary>
/// Reads the machine's CPU totals from the first line of /proc/stat ("cpu  user nice system idle iowait irq softirq
/// steal ..." in USER_HZ ticks, 100 a second on every Linux this runs on) into a buffer of its own: one open file,
/// no allocation per read, so a monitor thread can read it a few times a second. Where there is no /proc/stat (not
/// Linux) or a line does not parse, reads give <see cref="MachineCpuTimes.Unknown"/>. One reader per thread.
/// </summary>
public sealed class ProcStatReader : IDisposable
{
    private const double TicksPerSecond = 100; // USER_HZ: fixed at 100 by the kernel's ABI for /proc, whatever HZ is
    private readonly SafeFileHandle? _file;
    private readonly byte[] _buffer = new byte[512];

    public ProcStatReader(string path = "/proc/stat")
    {
        try
        {
            _file = OperatingSystem.IsLinux() && File.Exists(path) ? File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _file = null;
        }
    }

    /// <summary>The totals now, or <see cref="MachineCpuTimes.Unknown"/>.</summary>
    public MachineCpuTimes Read()
    {
        if (_file is null || _file.IsClosed)
            return MachineCpuTimes.Unknown;
        int n;
        try
        {
            n = RandomAccess.Read(_file, _buffer, 0); // procfs regenerates the file at each read from offset 0
        }
        catch (IOException)
        {
            return MachineCpuTimes.Unknown;
        }
        return Parse(_buffer.AsSpan(0, n));
    }

    /// <summary>Parses the aggregate "cpu" line at the start of <paramref name="text"/>; <see cref="MachineCpuTimes.Unknown"/> if it is not one.</summary>
    public static MachineCpuTimes Parse(ReadOnlySpan<byte> text)
    {
        int end = text.IndexOf((byte)'\n');
        if (end >= 0)
            text = text[..end];
        if (!text.StartsWith("cpu "u8))
            return MachineCpuTimes.Unknown;
        text = text[4..];
        // user nice system idle iowait irq softirq steal (guest and guest_nice are already inside user and nice)
        Span<long> f = stackalloc long[8];
        int count = 0;
        while (count < f.Length)
        {
            text = text.TrimStart((byte)' ');
            if (text.IsEmpty)
                break;
            if (!Utf8Parser.TryParse(text, out long value, out int used) || value < 0)
                return MachineCpuTimes.Unknown;
            f[count++] = value;
            text = text[used..];
        }
        if (count < 4) // kernels before 2.6 have no iowait and on; steal came in 2.6.11
            return MachineCpuTimes.Unknown;
        long busy = f[0] + f[1] + f[2] + f[5] + f[6];
        return new MachineCpuTimes(busy / TicksPerSecond, f[3] / TicksPerSecond, f[4] / TicksPerSecond, f[7] / TicksPerSecond);
    }

    public void Dispose() => _file?.Dispose();
}
