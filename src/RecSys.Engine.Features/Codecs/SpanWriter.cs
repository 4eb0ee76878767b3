using System.Buffers.Binary;
using System.Text;

namespace RecSys.Engine.Features.Codecs;

/// <summary>Little-endian writer over a span the caller sized with the codec's GetLength.</summary>
internal ref struct SpanWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _pos;

    public readonly int Position => _pos;

    public void WriteByte(byte v) => _buffer[_pos++] = v;

    public void WriteInt32(int v) { BinaryPrimitives.WriteInt32LittleEndian(_buffer[_pos..], v); _pos += 4; }

    public void WriteUInt32(uint v) { BinaryPrimitives.WriteUInt32LittleEndian(_buffer[_pos..], v); _pos += 4; }

    public void WriteInt64(long v) { BinaryPrimitives.WriteInt64LittleEndian(_buffer[_pos..], v); _pos += 8; }

    public void WriteSingle(float v) { BinaryPrimitives.WriteSingleLittleEndian(_buffer[_pos..], v); _pos += 4; }

    public void WriteDouble(double v) { BinaryPrimitives.WriteDoubleLittleEndian(_buffer[_pos..], v); _pos += 8; }

    public void WriteVarUInt(uint v)
    {
        while (v >= 0x80) { _buffer[_pos++] = (byte)(v | 0x80); v >>= 7; }
        _buffer[_pos++] = (byte)v;
    }

    public void WriteString(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        WriteVarUInt((uint)n);
        _pos += Encoding.UTF8.GetBytes(s, _buffer[_pos..]);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes) { bytes.CopyTo(_buffer[_pos..]); _pos += bytes.Length; }

    public static int VarUIntLength(uint v) => v < 1u << 7 ? 1 : v < 1u << 14 ? 2 : v < 1u << 21 ? 3 : v < 1u << 28 ? 4 : 5;

    public static int StringLength(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        return VarUIntLength((uint)n) + n;
    }
}
