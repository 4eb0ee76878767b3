using System.Buffers.Binary;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Files;

public sealed class BinaryFileFormatTests : IDisposable
{
    private static readonly BinaryFileFormat Format = new("test file", "RSYSTEST"u8, version: 3, headerSize: 32);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(int payload, Action<byte[]>? damage = null)
    {
        var bytes = new byte[Format.HeaderSize + payload];
        Format.WriteHeader(bytes);
        damage?.Invoke(bytes);
        string path = _dir.File("f.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void A_written_header_reads_back_and_the_stream_is_past_it()
    {
        var header = new byte[Format.HeaderSize];
        using var fs = Format.OpenRead(Write(payload: 5), header);
        Assert.Equal(Format.HeaderSize, fs.Position);
        Assert.True(header.AsSpan(0, 8).SequenceEqual("RSYSTEST"u8));
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8)));
        Assert.All(header[12..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Each_header_fault_names_the_file_and_what_is_wrong()
    {
        var header = new byte[Format.HeaderSize];
        string path = Write(payload: 0);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..31]);
        var e = Assert.Throws<InvalidDataException>(() => Format.OpenRead(path, header).Dispose());
        Assert.Equal($"{path}: truncated test file: 31 bytes, the header alone needs 32", e.Message);

        path = Write(payload: 0, b => b[3] ^= 1);
        e = Assert.Throws<InvalidDataException>(() => Format.OpenRead(path, header).Dispose());
        Assert.Equal($"{path}: not a test file (wrong magic bytes)", e.Message);

        path = Write(payload: 0, b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), 4));
        e = Assert.Throws<InvalidDataException>(() => Format.OpenRead(path, header).Dispose());
        Assert.Equal($"{path}: test file version 4 is not supported (this build reads version 3)", e.Message);

        string missing = _dir.File("missing.bin");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => Format.OpenRead(missing, header).Dispose()).Message);
    }

    [Fact]
    public void Sizes_that_disagree_with_the_length_are_errors()
    {
        Format.RequireLength("p", 100, 100, "x");
        Format.RequireAtLeast("p", 101, 100, "x");
        Assert.Equal("p: 99 bytes, but 3 rows need exactly 100 (truncated or corrupt)",
            Assert.Throws<InvalidDataException>(() => Format.RequireLength("p", 99, 100, "3 rows")).Message);
        Assert.Equal("p: 101 bytes, but 3 rows need exactly 100 (trailing bytes or corrupt)",
            Assert.Throws<InvalidDataException>(() => Format.RequireLength("p", 101, 100, "3 rows")).Message);
        Assert.Equal("p: truncated test file: 99 bytes, but 3 rows need 100",
            Assert.Throws<InvalidDataException>(() => Format.RequireAtLeast("p", 99, 100, "3 rows")).Message);
    }

    [Fact]
    public void A_format_needs_eight_magic_bytes_and_room_for_the_version()
    {
        Assert.Throws<ArgumentException>(() => new BinaryFileFormat("x", "SHORT"u8, 1, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryFileFormat("x", "RSYSTEST"u8, 1, 11));
    }
}
