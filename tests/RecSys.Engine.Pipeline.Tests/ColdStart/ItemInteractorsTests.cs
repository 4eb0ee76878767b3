using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Pipeline.Tests.ColdStart;

/// <summary>The item fold-in's users per item (<see cref="ItemInteractors"/>) and their snapshot file.</summary>
public sealed class ItemInteractorsTests
{
    [Fact]
    public void Keeps_distinct_users_and_the_newest_when_full()
    {
        var interactors = new ItemInteractors(capacity: 3);
        Assert.True(interactors.Add(5, 10));
        Assert.False(interactors.Add(5, 10));
        Assert.True(interactors.Add(5, 11));
        Assert.True(interactors.Add(5, 12, out int count));
        Assert.Equal(3, count);
        Assert.False(interactors.Add(5, 12, out count));
        Assert.Equal(3, count);
        Assert.True(interactors.Add(5, 13));
        Assert.Equal([11L, 12, 13], interactors.UsersOf(5));
        Assert.Equal(3, interactors.CountOf(5));
        Assert.Equal(4, interactors.AddedTo(5)); // keeps counting past the capacity (the index moves by it)
        Assert.Equal(0, interactors.CountOf(6));
        Assert.Equal(4, interactors.Changes);
    }

    [Fact]
    public void The_snapshot_file_round_trips_and_a_damaged_one_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "interactors");
        (int, long[])[] items = [(3, [1, 2, 3]), (9, [7])];
        ItemInteractorsFile.Write(path, items);
        var back = ItemInteractorsFile.Read(path, itemCount: 10);
        Assert.Equal(items.Select(e => (e.Item1, string.Join(",", e.Item2))), back.Select(e => (e.Ordinal, string.Join(",", e.Users))));
        var e1 = Assert.Throws<InvalidDataException>(() => ItemInteractorsFile.Read(path, itemCount: 9)); // ordinal 9 past the id map
        Assert.Contains(path, e1.Message);
        ItemInteractorsFile.Write(path, [(3, [1, 2, 3])]);
        byte[] bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(40L).CopyTo(bytes, 32 + 8); // user count past the file's end
        File.WriteAllBytes(path, bytes);
        var e2 = Assert.Throws<InvalidDataException>(() => ItemInteractorsFile.Read(path, itemCount: 10));
        Assert.Contains(path, e2.Message);
    }
}
