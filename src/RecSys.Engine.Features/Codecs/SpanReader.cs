using System.Buffers.Binary;
using System.Text;

namespace RecSys.Engine.Features.Codecs;

/// <summary>Little-endian reader that turns every overrun into a <see cref="FeatureFormatException"/> naming the record kind.</summary>
internal ref struct SpanReader(ReadOnlySpan<byte> buffer, string recordKind)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private readonly string _kind = recordKind;
    private int _pos;

    public readonly int Remaining => _buffer.Length - _pos;

    /// <summary>Reads the version byte and rejects any version but <paramref name="supported"/>.</summary>
    public void ExpectVersion(byte supported)
    {
        if (_buffer.IsEmpty) throw FeatureFormatException.Empty(_kind);
        byte v = _buffer[_pos++];
        if (v != supported) throw FeatureFormatException.UnknownVersion(_kind, v, supported);
    }

    public byte ReadByte() { Need(1); return _buffer[_pos++]; }

    public int ReadInt32() { Need(4); int v = BinaryPrimitives.ReadInt32LittleEndian(_buffer[_pos..]); _pos += 4; return v; }

    public uint ReadUInt32() { Need(4); uint v = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[_pos..]); _pos += 4; return v; }

    public long ReadInt64() { Need(8); long v = BinaryPrimitives.ReadInt64LittleEndian(_buffer[_pos..]); _pos += 8; return v; }

    public float ReadSingle() { Need(4); float v = BinaryPrimitives.ReadSingleLittleEndian(_buffer[_pos..]); _pos += 4; return v; }

    public double ReadDouble() { Need(8); double v = BinaryPrimitives.ReadDoubleLittleEndian(_buffer[_pos..]); _pos += 8; return v; }

    public uint ReadVarUInt()
    {
        uint v = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = ReadByte();
            v |= (uint)(b & 0x7F) << shift;
            if (b < 0x80) return v;
        }
        throw new FeatureFormatException($"{_kind} record has a malformed variable-length integer");
    }

    /// <summary>A count, checked against the bytes left so a corrupt count cannot trigger a huge allocation.</summary>
    public int ReadCount(int minBytesPerElement)
    {
        uint n = ReadVarUInt();
        if ((ulong)n * (ulong)minBytesPerElement > (ulong)Remaining)
            throw new FeatureFormatException($"{_kind} record claims {n} elements but only {Remaining} bytes are left");
        return (int)n;
    }

    public string ReadString()
    {
        int n = ReadCount(1);
        string s = Encoding.UTF8.GetString(_buffer.Slice(_pos, n));
        _pos += n;
        return s;
    }

    /// <summary>As <see cref="ReadString"/>, but short values come from <see cref="StringCache"/> (no allocation once seen).</summary>
    public string ReadSharedString()
    {
        int n = ReadCount(1);
        string s = StringCache.Get(_buffer.Slice(_pos, n));
        _pos += n;
        return s;
    }

    public ReadOnlySpan<byte> ReadBytes(int n) { Need(n); var s = _buffer.Slice(_pos, n); _pos += n; return s; }

    /// <summary>Trailing bytes mean the writer and reader disagree on the layout: refuse rather than guess.</summary>
    public readonly void ExpectEnd()
    {
        if (_pos != _buffer.Length)
            throw new FeatureFormatException($"{_kind} record has {_buffer.Length - _pos} unexpected trailing bytes");
    }

    private readonly void Need(int n)
    {
        if (_buffer.Length - _pos < n) throw FeatureFormatException.Truncated(_kind, n, _buffer.Length - _pos);
    }
}
