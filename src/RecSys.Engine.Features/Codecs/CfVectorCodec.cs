using System.Runtime.InteropServices;

namespace RecSys.Engine.Features.Codecs;

/// <summary>Layout v1: version(1) dim(varint) then dim x f32 little-endian.</summary>
public static class CfVectorCodec
{
    public const byte Version = 1;
    private const string Kind = "CF vector";

    public static byte[] Encode(ReadOnlySpan<float> vector)
    {
        var bytes = new byte[1 + SpanWriter.VarUIntLength((uint)vector.Length) + 4 * vector.Length];
        var w = new SpanWriter(bytes);
        w.WriteByte(Version);
        w.WriteVarUInt((uint)vector.Length);
        if (BitConverter.IsLittleEndian) w.WriteBytes(MemoryMarshal.AsBytes(vector));
        else foreach (float f in vector) w.WriteSingle(f);
        return bytes;
    }

    public static float[] Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new SpanReader(bytes, Kind);
        r.ExpectVersion(Version);
        var v = new float[r.ReadCount(4)];
        if (BitConverter.IsLittleEndian) r.ReadBytes(4 * v.Length).CopyTo(MemoryMarshal.AsBytes(v.AsSpan()));
        else for (int i = 0; i < v.Length; i++) v[i] = r.ReadSingle();
        r.ExpectEnd();
        return v;
    }
}
