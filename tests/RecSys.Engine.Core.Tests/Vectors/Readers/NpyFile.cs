using System.Buffers.Binary;
using System.Text;

namespace RecSys.Engine.Core.Tests.Vectors.Readers;

/// <summary>
/// Writes .npy files byte by byte the way numpy does, so the reader is tested against the format,
/// not against itself: magic, version, header length, a dict literal padded with spaces and ended
/// by '\n' so that the data starts on a 64-byte boundary.
/// </summary>
internal static class NpyFile
{
    public static byte[] Header(string descr, bool fortranOrder, string shape, int major = 1)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shape}, }}";
        int lengthField = major == 1 ? 2 : 4;
        int prefix = 6 + 2 + lengthField;
        int total = prefix + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string text = dict + new string(' ', padded - total) + "\n";

        var header = new byte[padded];
        header[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(header, 1);
        header[6] = (byte)major;
        header[7] = 0;
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)text.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)text.Length);
        }

        Encoding.ASCII.GetBytes(text).CopyTo(header, prefix);
        Assert.Equal(0, header.Length % 64);
        return header;
    }

    public static void Write(string path, string descr, string shape, ReadOnlySpan<byte> data, bool fortranOrder = false, int major = 1)
    {
        using var stream = System.IO.File.Create(path);
        stream.Write(Header(descr, fortranOrder, shape, major));
        stream.Write(data);
    }
}
