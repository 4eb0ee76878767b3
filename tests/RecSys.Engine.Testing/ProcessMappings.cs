using System.Globalization;

namespace RecSys.Engine.Testing;

/// <summary>One mapping of this process from /proc/self/smaps: its range, the file (empty when anonymous) and its VmFlags line.</summary>
public readonly record struct ProcessMapping(ulong Start, ulong End, string Path, string VmFlags)
{
    /// <summary>MADV_HUGEPAGE was applied to it (smaps' "hg" flag).</summary>
    public bool AdvisedHugePages => (" " + VmFlags + " ").Contains(" hg ", StringComparison.Ordinal);
}

/// <summary>Reads /proc/self/smaps (Linux only): which mappings the process holds and how they were advised.</summary>
public static class ProcessMappings
{
    public static IReadOnlyList<ProcessMapping> Read()
    {
        var result = new List<ProcessMapping>();
        string[] lines = File.ReadAllLines("/proc/self/smaps");
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash <= 0 || space < dash
                || !ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong start)
                || !ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong end))
                continue;
            // "start-end perms offset dev inode   path": the path is the sixth field, if any (it may hold spaces).
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            string path = fields.Length == 6 ? fields[5].Trim() : "";
            string flags = "";
            for (int j = i + 1; j < lines.Length; j++)
            {
                // VmFlags is the last line of every entry, so this never reads into the next one.
                if (lines[j].StartsWith("VmFlags:", StringComparison.Ordinal))
                {
                    flags = lines[j]["VmFlags:".Length..].Trim();
                    i = j;
                    break;
                }
            }
            result.Add(new ProcessMapping(start, end, path, flags));
        }
        return result;
    }

    /// <summary>The mapping that holds <paramref name="address"/>, or null.</summary>
    public static ProcessMapping? Containing(ulong address) =>
        Read().Where(m => m.Start <= address && address < m.End).Select(m => (ProcessMapping?)m).FirstOrDefault();
}
