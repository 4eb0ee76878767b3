namespace RecSys.Engine.Cli.Load;

/// <summary>
/// The ids of a vector file whose rows carry none (.npy, .fvecs, .bvecs): a text file, one id per line, line i naming
/// row i. Read as the rows stream (never all at once); a blank line or running out of lines is bad input naming the line.
/// </summary>
internal sealed class EmbeddingIdList(string path) : IDisposable
{
    private readonly StreamReader _reader = new(path);
    private long _line;

    public string Path => path;

    /// <summary>The next row's id.</summary>
    public string Next()
    {
        string? text = _reader.ReadLine();
        _line++;
        if (text is null)
            throw new InvalidDataException($"{path}: line {_line}: no id (the id file has fewer lines than the vector file has rows)");
        text = text.Trim();
        if (text.Length == 0)
            throw new InvalidDataException($"{path}: line {_line}: empty id");
        return text;
    }

    /// <summary>True when every line was used (extra non-blank lines mean the files do not match).</summary>
    public bool AtEnd()
    {
        string? rest;
        while ((rest = _reader.ReadLine()) is not null)
        {
            if (rest.Trim().Length > 0)
                return false;
        }
        return true;
    }

    public void Dispose() => _reader.Dispose();
}
