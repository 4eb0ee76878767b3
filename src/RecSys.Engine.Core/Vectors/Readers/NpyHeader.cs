using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// The parsed header of a .npy file (format versions 1.0, 2.0 and 3.0):
/// <code>
/// "\x93NUMPY" | major | minor | header length (uint16 in v1, uint32 in v2/v3) | header text, '\n'-terminated
/// header text = a Python dict literal, e.g. {'descr': '&lt;f4', 'fortran_order': False, 'shape': (1000, 96), }
/// </code>
/// Only the subset numpy itself writes is understood; anything else is an error, not a guess.
/// </summary>
internal sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape, long DataOffset)
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reasonable bound on the header text: numpy pads to 64 bytes, real headers are ~100 bytes.</summary>
    private const int MaxHeaderLength = 1 << 20;

    public static NpyHeader Read(Stream stream, string path)
    {
        Span<byte> preamble = stackalloc byte[12];
        int got = stream.ReadAtLeast(preamble[..10], 10, throwOnEndOfStream: false);
        if (got < 10 || !preamble[..6].SequenceEqual(Magic))
        {
            throw ReaderIO.Error(path, "not a .npy file (missing the \\x93NUMPY magic)");
        }

        byte major = preamble[6];
        byte minor = preamble[7];
        long headerLength;
        int preambleLength;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..10]);
                preambleLength = 10;
                break;
            case 2:
            case 3:
                if (stream.ReadAtLeast(preamble[10..12], 2, throwOnEndOfStream: false) < 2)
                {
                    throw ReaderIO.Error(path, "truncated .npy header");
                }

                headerLength = BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..12]);
                preambleLength = 12;
                break;
            default:
                throw ReaderIO.Error(path, $".npy format version {major}.{minor} is not supported (1.0, 2.0, 3.0 only)");
        }

        if (headerLength is <= 0 or > MaxHeaderLength)
        {
            throw ReaderIO.Error(path, $".npy header length {headerLength} is not plausible");
        }

        byte[] headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false) < headerBytes.Length)
        {
            throw ReaderIO.Error(path, "truncated .npy header");
        }

        // v1/v2 headers are latin-1, v3 allows UTF-8; the keys and values we accept are ASCII either way.
        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var parser = new DictParser(text, path);
        (string? descr, bool? fortran, long[]? shape) = parser.Parse();
        if (descr is null || fortran is null || shape is null)
        {
            throw ReaderIO.Error(path, ".npy header lacks one of 'descr', 'fortran_order', 'shape'");
        }

        return new NpyHeader(descr, fortran.Value, shape, preambleLength + headerLength);
    }

    /// <summary>Just enough of a Python-literal parser for the three keys numpy writes.</summary>
    private ref struct DictParser(string text, string path)
    {
        private int _pos;

        public (string? Descr, bool? Fortran, long[]? Shape) Parse()
        {
            string? descr = null;
            bool? fortran = null;
            long[]? shape = null;
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (TryTake('}'))
                {
                    break;
                }

                string key = ReadString();
                Expect(':');
                SkipSpace();
                switch (key)
                {
                    case "descr":
                        if (Peek() is '[')
                        {
                            throw ReaderIO.Error(path, "structured dtypes are not supported (float32, float16, float64, uint8 only)");
                        }

                        descr = ReadString();
                        break;
                    case "fortran_order":
                        fortran = ReadBool();
                        break;
                    case "shape":
                        shape = ReadShape();
                        break;
                    default:
                        throw Bad($"unexpected key '{key}'");
                }

                SkipSpace();
                if (!TryTake(','))
                {
                    Expect('}');
                    break;
                }
            }

            return (descr, fortran, shape);
        }

        private string ReadString()
        {
            SkipSpace();
            char quote = Peek();
            if (quote is not ('\'' or '"'))
            {
                throw Bad("expected a quoted string");
            }

            int end = text.IndexOf(quote, _pos + 1);
            if (end < 0)
            {
                throw Bad("unterminated string");
            }

            string value = text.Substring(_pos + 1, end - _pos - 1);
            _pos = end + 1;
            return value;
        }

        private bool ReadBool()
        {
            if (text.AsSpan(_pos).StartsWith("True"))
            {
                _pos += 4;
                return true;
            }

            if (text.AsSpan(_pos).StartsWith("False"))
            {
                _pos += 5;
                return false;
            }

            throw Bad("'fortran_order' must be True or False");
        }

        private long[] ReadShape()
        {
            Expect('(');
            var dims = new List<long>(2);
            while (true)
            {
                SkipSpace();
                if (TryTake(')'))
                {
                    break;
                }

                int start = _pos;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
                {
                    _pos++;
                }

                if (!long.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out long dim))
                {
                    throw Bad("'shape' must be a tuple of non-negative integers");
                }

                dims.Add(dim);
                TryTake('L'); // Python 2 era files write long literals as 10L
                SkipSpace();
                if (!TryTake(','))
                {
                    Expect(')');
                    break;
                }
            }

            return [.. dims];
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (!TryTake(c))
            {
                throw Bad($"expected '{c}'");
            }
        }

        private bool TryTake(char c)
        {
            if (_pos < text.Length && text[_pos] == c)
            {
                _pos++;
                return true;
            }

            return false;
        }

        private readonly char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private readonly InvalidDataException Bad(string reason) =>
            ReaderIO.Error(path, $"malformed .npy header at offset {_pos}: {reason}");
    }
}
