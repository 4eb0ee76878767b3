using RecSys.Engine.Models.Data;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.Data;

public sealed class CatalogIdMapTests
{
    [Fact]
    public void Ordinals_are_dense_in_order_and_survive_save_and_load()
    {
        var map = new CatalogIdMap(capacity: 2);
        Assert.Equal(0, map.GetOrAdd(1000L));
        Assert.Equal(1, map.GetOrAdd("sku-7"));
        Assert.Equal(2, map.GetOrAdd("42"));
        Assert.Equal(0, map.GetOrAdd(1000L));
        Assert.Equal(1, map.GetOrAdd("sku-7"));
        Assert.Equal(42L, map.ExternalId(2));
        Assert.Equal(CatalogIdMap.KeyOf("sku-7"), map.ExternalId(1));
        Assert.Equal("sku-7", map.NameOf(1));
        Assert.Null(map.NameOf(2));
        Assert.True(map.TryGetOrdinal("42", out int o42) && o42 == 2);
        Assert.False(map.TryGetOrdinal("sku-8", out _));

        using var dir = new TempDirectory();
        map.Save(dir.Path);
        var loaded = CatalogIdMap.Load(dir.Path);
        Assert.Equal(3, loaded.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(map.ExternalId(i), loaded.ExternalId(i));
            Assert.Equal(map.NameOf(i), loaded.NameOf(i));
        }
        Assert.Equal(3, loaded.GetOrAdd(7L)); // still append-only after a load
    }

    [Fact]
    public void From_a_training_id_map_keeps_its_ordinals()
    {
        var ids = new IdMap();
        foreach (string s in new[] { "10", "3", "x" })
            ids.GetOrAdd(s);
        var map = CatalogIdMap.FromIdMap(ids);
        Assert.Equal(10L, map.ExternalId(0));
        Assert.Equal(3L, map.ExternalId(1));
        Assert.True(map.TryGetOrdinal("x", out int x) && x == 2);
    }

    [Fact]
    public async Task Concurrent_readers_find_every_id_whose_add_returned()
    {
        var map = new CatalogIdMap(capacity: 1);
        int failures = 0, added = 0;
        var writer = Task.Run(() =>
        {
            for (int ordinal = 0; ordinal < 20_000; ordinal++)
            {
                map.GetOrAdd(ordinal * 7L);
                Volatile.Write(ref added, ordinal + 1);
            }
        });
        var reader = Task.Run(() =>
        {
            while (!writer.IsCompleted)
            {
                int probe = Volatile.Read(ref added) - 1;
                if (probe < 0)
                    continue;
                if (map.ExternalId(probe) != probe * 7L || !map.TryGetOrdinal(probe * 7L, out int back) || back != probe)
                    Interlocked.Increment(ref failures);
            }
        });
        await Task.WhenAll(writer, reader);
        Assert.Equal(0, failures);
        Assert.Equal(20_000, map.Count);
    }

    [Fact]
    public void A_damaged_names_file_is_refused_naming_the_line()
    {
        var map = new CatalogIdMap();
        map.GetOrAdd("a");
        map.GetOrAdd("b");
        using var dir = new TempDirectory();
        map.Save(dir.Path);
        File.WriteAllLines(dir.File(CatalogIdMap.NamesFileName), ["a", "c"]);
        var e = Assert.Throws<InvalidDataException>(() => CatalogIdMap.Load(dir.Path));
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void Key_table_numbers_keys_in_order_and_round_trips()
    {
        var table = new KeyTable();
        Assert.Equal(0, table.GetOrAdd(""));
        Assert.Equal(1, table.GetOrAdd("18-24|F|student"));
        Assert.Equal(0, table.GetOrAdd(""));
        using var dir = new TempDirectory();
        string file = table.Save(dir.Path, "segments");
        var loaded = KeyTable.Load(dir.Path, file);
        Assert.Equal(["", "18-24|F|student"], loaded.Keys());
        Assert.True(loaded.TryGetId("18-24|F|student", out int id) && id == 1);
        Assert.Null(loaded.KeyOf(5));
    }
}
