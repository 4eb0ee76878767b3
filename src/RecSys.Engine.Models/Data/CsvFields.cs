namespace RecSys.Engine.Models.Data;

/// <summary>
/// Splits one delimited line into fields, honouring RFC 4180 quotes ("a, b" and doubled "" inside quotes),
/// because MovieLens titles contain commas. A trailing CR (CRLF files) is dropped.
/// </summary>
public static class CsvFields
{
    /// <summary>Fills <paramref name="fields"/>; returns false with a reason on an unterminated quote.</summary>
    public static bool TrySplit(string line, char delimiter, List<string> fields, out string? error)
    {
        fields.Clear();
        error = null;
        int length = line.Length;
        if (length > 0 && line[length - 1] == '\r')
            length--;
        var current = new System.Text.StringBuilder();
        int i = 0;
        while (true)
        {
            current.Clear();
            if (i < length && line[i] == '"')
            {
                i++;
                bool closed = false;
                while (i < length)
                {
                    char c = line[i];
                    if (c == '"')
                    {
                        if (i + 1 < length && line[i + 1] == '"')
                        {
                            current.Append('"');
                            i += 2;
                            continue;
                        }
                        closed = true;
                        i++;
                        break;
                    }
                    current.Append(c);
                    i++;
                }
                if (!closed)
                {
                    error = "unterminated quoted field";
                    return false;
                }
                if (i < length && line[i] != delimiter)
                {
                    error = $"unexpected character '{line[i]}' after a quoted field";
                    return false;
                }
            }
            else
            {
                int start = i;
                while (i < length && line[i] != delimiter)
                    i++;
                current.Append(line, start, i - start);
            }
            fields.Add(current.ToString());
            if (i >= length)
                return true;
            i++; // the delimiter
        }
    }
}
