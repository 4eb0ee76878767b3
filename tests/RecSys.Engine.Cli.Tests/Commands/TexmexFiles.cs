using System.Buffers.Binary;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>
/// Minimal .fvecs/.ivecs parsing for these tests, independent of the code under test, so a
/// writer bug cannot hide behind a matching reader bug.
/// </summary>
internal static class TexmexFiles
{
    public static float[] ReadFvecs(string path, out int count, out int dim)
    {
        int[] raw = ReadRaw(path, out count, out dim);
        var rows = new float[count * dim];
        for (int r = 0; r < count; r++)
            for (int j = 0; j < dim; j++)
                rows[r * dim + j] = BitConverter.Int32BitsToSingle(raw[r * (dim + 1) + 1 + j]);
        return rows;
    }

    public static int[] ReadIvecs(string path, out int count, out int dim)
    {
        int[] raw = ReadRaw(path, out count, out dim);
        var rows = new int[count * dim];
        for (int r = 0; r < count; r++)
            Array.Copy(raw, r * (dim + 1) + 1, rows, r * dim, dim);
        return rows;
    }

    private static int[] ReadRaw(string path, out int count, out int dim)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length >= 4 && bytes.Length % 4 == 0, $"{path}: {bytes.Length} bytes");
        var words = new int[bytes.Length / 4];
        for (int i = 0; i < words.Length; i++)
            words[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * i));
        dim = words[0];
        Assert.True(dim > 0 && words.Length % (dim + 1) == 0, $"{path}: dim {dim} does not divide the file");
        count = words.Length / (dim + 1);
        for (int r = 0; r < count; r++)
            Assert.Equal(dim, words[r * (dim + 1)]);
        return words;
    }
}
