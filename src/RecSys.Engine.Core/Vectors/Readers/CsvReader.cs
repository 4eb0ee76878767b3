using System.Globalization;
using System.Text;

namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// Streams a CSV file of rows <c>id,f1,f2,...,fd</c> (id an int64, values invariant-culture floats).
/// <list type="bullet">
/// <item>The first non-blank line is a header, and skipped, only if its first field is not a number.</item>
/// <item>Blank lines are skipped; '\n' and "\r\n" endings and a UTF-8 BOM are accepted. Quoting is not.</item>
/// <item>d is set by the first data row; a row with another field count, an unparsable or non-finite
///   value fails with the 1-based line number.</item>
/// </list>
/// </summary>
/// <remarks>
/// Parsing runs on UTF-8 bytes in a reader-owned buffer (float/long parse straight from byte spans),
/// so a row costs no allocation; the buffer only grows for a line longer than it, up to
/// <see cref="MaxLineBytes"/>, so a file without newlines cannot pull itself into memory.
/// </remarks>
public sealed class CsvReader : IVectorReader
{
    /// <summary>The longest line accepted (a 1M-dimension row of short numbers fits).</summary>
    public const int MaxLineBytes = 64 << 20;

    private const NumberStyles FloatStyle = NumberStyles.Float;
    private const NumberStyles IdStyle = NumberStyles.Integer;

    private readonly FileStream _stream;
    private byte[] _buffer = new byte[ReaderIO.BufferSize];
    private int _start; // first unconsumed byte in _buffer
    private int _end;   // end of valid bytes in _buffer
    private bool _eof;
    private long _lineNumber; // 1-based number of the line last returned by TryReadLine

    // The first data row is read during construction (it fixes the dimension) and parsed on the first call.
    private bool _hasPending;
    private int _pendingStart;
    private int _pendingLength;

    /// <exception cref="InvalidDataException">The file holds no data row, or its first data row has no values.</exception>
    public CsvReader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;

        // Unbuffered FileStream: this type does its own buffering and would only pay for a second copy.
        _stream = ReaderIO.OpenRead(path, bufferSize: 0);
        try
        {
            Dimension = ReadFirstDataRow();
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <inheritdoc/>
    /// <remarks>Always <c>null</c>: the row count of a CSV file is only known after reading it.</remarks>
    public long? Count => null;

    /// <inheritdoc/>
    public string Path { get; }

    /// <inheritdoc/>
    public bool TryReadNext(Span<float> row, out long id)
    {
        ReaderIO.CheckRowLength(row.Length, Dimension, nameof(row));
        ObjectDisposedException.ThrowIf(!_stream.CanRead, this);
        if (_hasPending)
        {
            _hasPending = false;
            ParseRow(_buffer.AsSpan(_pendingStart, _pendingLength), row, out id);
            return true;
        }

        while (TryReadLine(out int start, out int length))
        {
            ReadOnlySpan<byte> line = _buffer.AsSpan(start, length);
            if (IsBlank(line))
            {
                continue;
            }

            ParseRow(line, row, out id);
            return true;
        }

        id = -1;
        return false;
    }

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();

    private int ReadFirstDataRow()
    {
        bool headerAllowed = true;
        while (TryReadLine(out int start, out int length))
        {
            ReadOnlySpan<byte> line = _buffer.AsSpan(start, length);
            if (IsBlank(line))
            {
                continue;
            }

            int comma = line.IndexOf((byte)',');
            ReadOnlySpan<byte> first = comma < 0 ? line : line[..comma];
            if (headerAllowed && !double.TryParse(first, FloatStyle, CultureInfo.InvariantCulture, out _))
            {
                headerAllowed = false;
                continue;
            }

            int dimension = line.Count((byte)',');
            if (dimension == 0)
            {
                throw ReaderIO.LineError(Path, _lineNumber, "no values after the id (expected id,f1,f2,...)");
            }

            _hasPending = true;
            _pendingStart = start;
            _pendingLength = length;
            return dimension;
        }

        throw ReaderIO.Error(Path, "no data rows (expected lines id,f1,f2,...)");
    }

    private void ParseRow(ReadOnlySpan<byte> line, Span<float> row, out long id)
    {
        int comma = line.IndexOf((byte)',');
        if (comma < 0)
        {
            throw FieldCountError(line);
        }

        if (!long.TryParse(line[..comma], IdStyle, CultureInfo.InvariantCulture, out id))
        {
            throw ReaderIO.LineError(Path, _lineNumber, $"id '{Excerpt(line[..comma])}' is not an int64");
        }

        ReadOnlySpan<byte> rest = line[(comma + 1)..];
        for (int i = 0; i < row.Length; i++)
        {
            comma = rest.IndexOf((byte)',');
            bool last = i == row.Length - 1;
            if ((comma < 0) != last)
            {
                throw FieldCountError(line);
            }

            ReadOnlySpan<byte> field = last ? rest : rest[..comma];
            if (!float.TryParse(field, FloatStyle, CultureInfo.InvariantCulture, out float value))
            {
                throw ReaderIO.LineError(Path, _lineNumber, $"field {i + 2}: '{Excerpt(field)}' is not a number");
            }

            // NaN, ±Infinity and values beyond float range (which parse to Infinity) would poison
            // every distance computed against this row: reject them here, where the line is known.
            if (!float.IsFinite(value))
            {
                throw ReaderIO.LineError(Path, _lineNumber, $"field {i + 2}: '{Excerpt(field)}' is not a finite float32");
            }

            row[i] = value;
            rest = last ? default : rest[(comma + 1)..];
        }
    }

    private InvalidDataException FieldCountError(ReadOnlySpan<byte> line) =>
        ReaderIO.LineError(Path, _lineNumber,
            $"expected {Dimension + 1} fields (id and {Dimension} values, as in the first data row), found {line.Count((byte)',') + 1}");

    /// <summary>
    /// Returns the next line (without its '\n' or "\r\n") as a range of <see cref="_buffer"/>, valid
    /// until the next call. Returns <c>false</c> at the end of the file.
    /// </summary>
    private bool TryReadLine(out int start, out int length)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0 || (_eof && _start < _end))
            {
                start = _start;
                length = newline >= 0 ? newline : _end - _start;
                _start += newline >= 0 ? newline + 1 : length;
                _lineNumber++;
                if (length > 0 && _buffer[start + length - 1] == (byte)'\r')
                {
                    length--;
                }

                if (_lineNumber == 1 && _buffer.AsSpan(start, length).StartsWith(Encoding.UTF8.Preamble))
                {
                    start += 3;
                    length -= 3;
                }

                return true;
            }

            if (_eof)
            {
                start = length = 0;
                return false;
            }

            Fill();
        }
    }

    /// <summary>Moves the unconsumed tail to the front of the buffer (growing it for a long line) and reads more.</summary>
    private void Fill()
    {
        int pending = _end - _start;
        if (pending == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineBytes)
            {
                throw ReaderIO.LineError(Path, _lineNumber + 1, $"line is longer than {MaxLineBytes} bytes");
            }

            byte[] larger = new byte[Math.Min((long)_buffer.Length * 2, MaxLineBytes)];
            _buffer.AsSpan(_start, pending).CopyTo(larger);
            _buffer = larger;
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
        }

        _start = 0;
        _end = pending;
        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0;

    private static string Excerpt(ReadOnlySpan<byte> field)
    {
        const int MaxChars = 40;
        string text = Encoding.UTF8.GetString(field);
        return text.Length <= MaxChars ? text : string.Concat(text.AsSpan(0, MaxChars), "...");
    }
}
