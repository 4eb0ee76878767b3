using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Pipeline.Tests.Serving;

/// <summary>
/// The catalog journal: catalog changes made after the last snapshot save are back after a crash, over a real registry
/// and a real FASTER store reopened from the same directories. The crash here is a dispose without a save: the journal
/// file is left exactly as a kill leaves it, since every record was fsynced before its call returned and nothing is
/// written on the way out (the journal is closed, never flushed or trimmed, when no save runs).
/// </summary>
public sealed class CatalogJournalTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    private const long NewItem = 920_001;
    private const string NamedItem = "sku-journal-2";
    private const long GoneItem = 920_003;
    private const long LaterItem = 920_004;

    /// <summary>No save on dispose: what a crash leaves.</summary>
    private static ServingStateOptions Crashing => RegistryRig.Options() with { SaveOnDispose = false };

    private static string Serving(RegistryRig rig) => Path.Combine(rig.RegistryDirectory, "serving");

    private static string Current(RegistryRig rig) => File.ReadAllText(Path.Combine(Serving(rig), "CURRENT")).Trim();

    private static string[] JournalFiles(RegistryRig rig) => [.. Directory.GetFiles(Serving(rig), "journal-*").Order()];

    private static int Ordinal(ServingState state, long item) => state.Catalog.Items.TryGetOrdinal(item, out int o) ? o : throw new KeyNotFoundException($"item {item}");

    private static ItemAttributes Item(string title, params string[] categories) => new() { Title = title, Categories = categories, Tags = ["t"] };

    [Fact]
    public async Task Items_upserted_and_deleted_after_the_last_save_are_back_after_a_crash_under_their_ordinals()
    {
        using var rig = new RegistryRig(trained);
        long planted = PlantedCatalog.ItemId(5);
        int newOrdinal, namedOrdinal, goneOrdinal, plantedOrdinal, newCategory;
        float[] newRow;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.SaveCatalogAsync();
            await state.Pipeline.UpsertItemAsync(NewItem, Item("space golden storm", "c0", "journal-only-category"));
            await state.Pipeline.UpsertItemAsync(NamedItem, Item("quiet river stone", "c1"));
            await state.Pipeline.UpsertItemAsync(GoneItem, Item("gone soon", "c2"));
            await state.Pipeline.DeleteItemAsync(GoneItem);
            await state.Pipeline.DeleteItemAsync(planted);
            newOrdinal = Ordinal(state, NewItem);
            Assert.True(state.Catalog.Items.TryGetOrdinal(NamedItem, out namedOrdinal));
            goneOrdinal = Ordinal(state, GoneItem);
            plantedOrdinal = Ordinal(state, planted);
            Assert.True(state.Catalog.Categories.TryGetId("journal-only-category", out newCategory));
            newRow = state.Catalog.Content!.Row(newOrdinal).ToArray();
            Assert.NotEmpty(newRow);
        }

        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.Equal(newOrdinal, Ordinal(state, NewItem));
            Assert.True(state.Catalog.Items.TryGetOrdinal(NamedItem, out int named));
            Assert.Equal((namedOrdinal, NamedItem), (named, state.Catalog.Items.NameOf(named)));
            Assert.Equal(goneOrdinal, Ordinal(state, GoneItem));
            Assert.True(state.Catalog.IsDeleted(goneOrdinal));
            Assert.True(state.Catalog.IsDeleted(plantedOrdinal));
            Assert.False(state.Catalog.IsDeleted(newOrdinal));
            // The category the item brought keeps its number (the store's record holds the number), and the live
            // content row is back (the store keeps no title to encode it from).
            Assert.True(state.Catalog.Categories.TryGetId("journal-only-category", out int category));
            Assert.Equal(newCategory, category);
            Assert.Contains(newCategory, state.Catalog.CategoriesOf(newOrdinal).ToArray());
            Assert.Equal(newRow, state.Catalog.Content!.Row(newOrdinal).ToArray());
            // Numbering goes on after them: nothing is handed out twice.
            await state.Pipeline.UpsertItemAsync(LaterItem, Item("later", "c0"));
            Assert.Equal(goneOrdinal + 1, Ordinal(state, LaterItem));
        }
    }

    [Fact]
    public async Task A_segment_and_a_category_a_user_upsert_numbered_keep_their_numbers_after_a_crash()
    {
        using var rig = new RegistryRig(trained);
        int segment, category;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.SaveCatalogAsync();
            await state.Pipeline.UpsertUserAsync(PlantedCatalog.UserId(7), new UserAttributes
            {
                Age = 77, Gender = "journal-gender", Occupation = "journal-occupation", OnboardingCategories = ["onboarding-only-category"],
            });
            segment = state.Catalog.Segments.Count - 1;
            Assert.True(state.Catalog.Categories.TryGetId("onboarding-only-category", out category));
        }
        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.Equal(segment + 1, state.Catalog.Segments.Count);
            Assert.Contains("journal-gender", state.Catalog.Segments.KeyOf(segment));
            Assert.True(state.Catalog.Categories.TryGetId("onboarding-only-category", out int again));
            Assert.Equal(category, again);
        }
    }

    /// <summary>
    /// The store keeps categories and segments as ints, so a number must be journaled before any store record holds it:
    /// otherwise a crash between the store write and the append leaves a record whose number a restart hands to another
    /// key. The append fails here (the journal closed, as a full disk would fail it) and the process then "crashes";
    /// after the restart the next new category and segment must not show up in the records of the failed calls.
    /// </summary>
    [Fact]
    public async Task A_number_a_failed_write_made_is_not_left_in_the_store_for_another_key_to_take_after_a_crash()
    {
        using var rig = new RegistryRig(trained);
        long planted = PlantedCatalog.ItemId(5);
        long user = PlantedCatalog.UserId(7);
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.SaveCatalogAsync();
            state.Journal.Dispose();
            await Assert.ThrowsAnyAsync<Exception>(() => state.Pipeline.UpsertItemAsync(planted, Item("planted again", "c0", "never-journaled-category")).AsTask());
            await Assert.ThrowsAnyAsync<Exception>(() => state.Pipeline.UpsertUserAsync(user, new UserAttributes
            {
                Age = 66, Gender = "never-journaled-gender", Occupation = "never-journaled-occupation", OnboardingCategories = ["never-journaled-onboarding"],
            }).AsTask());
        }
        await using (var state = await rig.OpenAsync(Crashing))
        {
            await state.Pipeline.UpsertItemAsync(NewItem, Item("space golden storm", "after-the-crash-category"));
            await state.Pipeline.UpsertUserAsync(PlantedCatalog.UserId(8), new UserAttributes { Age = 33, Gender = "after-the-crash", Occupation = "after-the-crash" });
            Assert.True(state.Catalog.Categories.TryGetId("after-the-crash-category", out int category));
            int segment = state.Catalog.Segments.Count - 1;
            Assert.DoesNotContain(category, state.Catalog.CategoriesOf(Ordinal(state, planted)).ToArray());
            var profile = await state.Store.GetUserProfileAsync(user);
            Assert.NotNull(profile);
            Assert.NotEqual(segment, profile.Segment);
            Assert.DoesNotContain(category, profile.OnboardingCategories);
        }
    }

    /// <summary>
    /// An append that fails part way, and whose cut back fails too, leaves bytes of a record no call acknowledged at the
    /// end of the file; the journal stops appending there, and the next save rotates away from it. If the process then
    /// dies before that save commits its snapshot, the file is no longer the newest, and the open must still succeed.
    /// The failure is set up by hand (reflection): the bytes written through the journal's own handle, the flag set.
    /// </summary>
    [Fact]
    public async Task A_journal_file_left_with_the_bytes_of_a_failed_append_does_not_stop_the_open_once_a_save_rotated_past_it()
    {
        using var rig = new RegistryRig(trained);
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.SaveCatalogAsync();
            await state.Pipeline.UpsertItemAsync(NewItem, Item("space golden storm", "c0"));
            var journal = state.Journal;
            var flags = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
            var file = (FileStream)typeof(CatalogJournal).GetField("_file", flags)!.GetValue(journal)!;
            file.Seek(0, SeekOrigin.End);
            file.Write([40, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
            file.Flush(flushToDisk: true);
            typeof(CatalogJournal).GetField("_broken", flags)!.SetValue(journal, true);
            // What a save does first, under the catalog writes; the crash comes before its snapshot is committed.
            journal.Rotate();
        }
        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.True(state.Catalog.Items.TryGetOrdinal(NewItem, out _));
        }
    }

    /// <summary>The offset of the last record of a journal file (records: uint32 length, two checksums, payload).</summary>
    private static int LastRecordOffset(byte[] journal)
    {
        int offset = 32, last = -1;
        while (offset < journal.Length)
        {
            last = offset;
            offset += 12 + BitConverter.ToInt32(journal, offset);
        }
        return last;
    }

    /// <summary>
    /// The ways a crash tears the last record: "cut" leaves its start, then zeros past it (a file extended before
    /// its data reached the disk); "zeroed" leaves it whole in length, with a stretch of it never written; "header"
    /// tears it inside its 12-byte header (a record header straddling a sector or page boundary: the length and half
    /// of its checksum reached the disk, the rest of the record did not).
    /// </summary>
    [Theory]
    [InlineData("cut")]
    [InlineData("zeroed")]
    [InlineData("header")]
    public async Task A_record_a_crash_tore_is_dropped_and_the_journal_goes_on_after_the_last_whole_one(string tear)
    {
        using var rig = new RegistryRig(trained);
        string journal;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.SaveCatalogAsync();
            await state.Pipeline.UpsertItemAsync(NewItem, Item("space golden storm", "c0"));
            await state.Pipeline.UpsertItemAsync(GoneItem, Item("torn", "c0"));
            journal = state.Journal.CurrentPath;
        }
        var bytes = File.ReadAllBytes(journal);
        int last = LastRecordOffset(bytes);
        if (tear == "cut")
            bytes = [.. bytes.AsSpan(0, last + 12 + 10), .. new byte[64]];
        else if (tear == "header")
            bytes.AsSpan(last + 6).Clear();
        else
            bytes.AsSpan(last + 12, 16).Clear();
        File.WriteAllBytes(journal, bytes);

        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.Equal(1, state.Journal.ReplayedRecords);
            Assert.NotNull(state.Journal.DroppedTail);
            Assert.True(state.Catalog.Items.TryGetOrdinal(NewItem, out int first));
            Assert.False(state.Catalog.Items.TryGetOrdinal(GoneItem, out _));
            await state.Pipeline.UpsertItemAsync(LaterItem, Item("after the tear", "c0"));
            Assert.Equal(first + 1, Ordinal(state, LaterItem));
        }
        // The torn bytes were cut off, so the record written after them replays too.
        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.Equal(2, state.Journal.ReplayedRecords);
            Assert.Null(state.Journal.DroppedTail);
            Assert.True(state.Catalog.Items.TryGetOrdinal(LaterItem, out _));
        }
    }

    [Fact]
    public async Task Damage_before_the_last_record_stops_the_open_naming_the_file_and_the_offset()
    {
        using var rig = new RegistryRig(trained);
        string journal;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.SaveCatalogAsync();
            await state.Pipeline.UpsertItemAsync(NewItem, Item("space golden storm", "c0"));
            await state.Pipeline.UpsertItemAsync(GoneItem, Item("after the damage", "c0"));
            journal = state.Journal.CurrentPath;
        }
        // One byte of the first record's payload (the file header is 32 bytes, a record header 12) flipped.
        var bytes = File.ReadAllBytes(journal);
        bytes[32 + 12 + 3] ^= 0x40;
        File.WriteAllBytes(journal, bytes);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => rig.OpenAsync(Crashing));
        Assert.Contains(journal, e.Message);
        Assert.Contains("byte 32", e.Message);
    }

    /// <summary>A header that fails its checksum is a tear only when nothing after it reached the disk; with its payload there, it is damage.</summary>
    [Fact]
    public async Task Damage_to_the_last_records_header_with_its_payload_written_stops_the_open()
    {
        using var rig = new RegistryRig(trained);
        string journal;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.SaveCatalogAsync();
            await state.Pipeline.UpsertItemAsync(NewItem, Item("space golden storm", "c0"));
            journal = state.Journal.CurrentPath;
        }
        var bytes = File.ReadAllBytes(journal);
        int last = LastRecordOffset(bytes);
        bytes[last + 5] ^= 0x01;
        File.WriteAllBytes(journal, bytes);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => rig.OpenAsync(Crashing));
        Assert.Contains($"byte {last}", e.Message);
    }

    [Fact]
    public async Task A_save_empties_the_journal_and_a_restart_after_it_replays_only_the_changes_since()
    {
        using var rig = new RegistryRig(trained);
        int before, after;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.Pipeline.UpsertItemAsync(NewItem, Item("space golden storm", "c0"));
            await state.SaveCatalogAsync();
            // One journal file, holding no record: the snapshot has the item.
            string journal = Assert.Single(JournalFiles(rig));
            Assert.Equal(32, new FileInfo(journal).Length);
            await state.Pipeline.UpsertItemAsync(LaterItem, Item("after the save", "c1"));
            (before, after) = (Ordinal(state, NewItem), Ordinal(state, LaterItem));
        }
        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.Equal(1, state.Journal.ReplayedRecords);
            Assert.Equal((before, after), (Ordinal(state, NewItem), Ordinal(state, LaterItem)));
        }
    }

    [Fact]
    public async Task A_save_with_nothing_changed_since_the_last_one_does_not_rewrite_the_snapshot()
    {
        using var rig = new RegistryRig(trained);
        await using var state = await rig.CreateAsync(options: Crashing);
        await state.Pipeline.UpsertItemAsync(NewItem, Item("space golden storm", "c0"));
        await state.SaveCatalogAsync();
        string saved = Current(rig);

        await state.SaveCatalogAsync();
        await state.Pipeline.UpsertItemAsync(NewItem, Item("space golden storm", "c0")); // the same again: nothing to journal
        await state.SaveCatalogAsync();
        Assert.Equal(saved, Current(rig));
        Assert.True(Directory.Exists(Path.Combine(Serving(rig), saved)));

        // Impressions are not journaled, so they are compared: one more is a change to save.
        await state.Pipeline.RecordEventsAsync([new InteractionEvent(PlantedCatalog.UserId(200), NewItem, EventType.Impression, 1, rig.NowMs)]);
        await state.SaveCatalogAsync();
        Assert.NotEqual(saved, Current(rig));
    }

    [Fact]
    public async Task A_swap_saves_the_snapshot_under_the_new_version_and_changes_after_it_survive_a_crash()
    {
        using var rig = new RegistryRig(trained);
        rig.AddVersion("v2");
        int first, second;
        float[] row;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.SaveCatalogAsync();
            await state.Pipeline.UpsertItemAsync(NewItem, Item("space golden storm", "c0"));
            string before = Current(rig);
            await state.ActivateAsync("v2");
            Assert.NotEqual(before, Current(rig));
            Assert.Equal(32, new FileInfo(Assert.Single(JournalFiles(rig))).Length);
            await state.Pipeline.UpsertItemAsync(LaterItem, Item("under v2", "c1"));
            (first, second) = (Ordinal(state, NewItem), Ordinal(state, LaterItem));
            row = state.Catalog.Content!.Row(second).ToArray();
        }
        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.Equal("v2", state.ActiveVersionId);
            Assert.Equal(1, state.Journal.ReplayedRecords);
            Assert.Equal((first, second), (Ordinal(state, NewItem), Ordinal(state, LaterItem)));
            Assert.Equal(row, state.Catalog.Content!.Row(second).ToArray());
        }
    }

    /// <summary>
    /// A swap journals what its attach numbered before the registry pointer moves: when that append fails (the journal
    /// closed, as a full disk fails it), the swap does not happen, instead of the pointer naming the new version while
    /// the activation throws. Before, the pointer was committed and the version served, and the numbering was left to the
    /// snapshot save after it, whose failure then escaped from the activation.
    /// </summary>
    [Fact]
    public async Task A_swap_whose_numbering_cannot_be_journaled_does_not_happen()
    {
        using var rig = new RegistryRig(trained);
        rig.AddVersion("v2");
        await using var state = await rig.CreateAsync(options: Crashing);
        await state.SaveCatalogAsync();
        var serving = state.Pipeline.Version;
        state.Journal.Dispose();

        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => state.ActivateAsync("v2"));
        Assert.Equal("v1", state.ActiveVersionId);
        Assert.Equal("v1", rig.Registry.ActiveId);
        Assert.Same(serving, state.Pipeline.Version);
    }

    /// <summary>A catalog id map of items 100, 101, .. (<paramref name="n"/> of them), as a restart reads it.</summary>
    private static CatalogIdMap Items(int n)
    {
        var map = new CatalogIdMap();
        for (int i = 0; i < n; i++)
            map.GetOrAdd(100 + i);
        return map;
    }

    /// <summary>The journal of <paramref name="directory"/> over <paramref name="items"/> and empty key tables, as a start opens it.</summary>
    private static CatalogJournal OpenJournal(string directory, CatalogIdMap items) => CatalogJournal.Open(directory, 0, items, new KeyTable(), new KeyTable());

    /// <summary>
    /// Item interactors are journaled without the item ids the numbering gained (an event can name an item whose upsert
    /// numbered it and has not stored it yet), so a restart drops a pair whose item no record numbered, and keeps it once
    /// a later record (the upsert's own) numbers the item.
    /// </summary>
    [Fact]
    public void Interactors_replay_in_order_and_only_for_items_a_record_numbered()
    {
        using var temp = new TempDirectory("recsys-journal");
        string directory = temp.Path;
        var items = Items(2);
        using (var journal = OpenJournal(directory, items))
        {
            Assert.Equal(2, items.GetOrAdd(102)); // numbered by an upsert whose store write has not happened
            journal.AppendInteractors([(1, 7L), (2, 8L), (1, 9L)]);
        }
        using (var journal = OpenJournal(directory, Items(2)))
        {
            Assert.Equal([(1, 7L), (1, 9L)], journal.TakeReplayedInteractors());
            Assert.Empty(journal.TakeReplayedInteractors()); // handed over once
        }

        items = Items(2);
        using (var journal = OpenJournal(directory, items))
        {
            journal.TakeReplayedInteractors();
            items.GetOrAdd(102);
            Assert.True(journal.AppendNumbering()); // the upsert's record
        }
        using (var journal = OpenJournal(directory, Items(2)))
            Assert.Equal([(1, 7L), (2, 8L), (1, 9L)], journal.TakeReplayedInteractors());
    }

    /// <summary>
    /// A pair dropped at one open (its item was numbered, never journaled: the upsert never finished) stays in the
    /// journal file, and the open appends to that same file. Another new item then takes the freed ordinal and is
    /// journaled after it; a second crash before a save replays the old pair as a user of the other item.
    /// </summary>
    [Fact]
    public void An_interactor_pair_dropped_at_one_open_is_not_given_to_the_item_numbered_at_its_ordinal_after_it()
    {
        using var temp = new TempDirectory("recsys-journal");
        string directory = temp.Path;
        var items = Items(2);
        using (var journal = OpenJournal(directory, items))
        {
            Assert.Equal(2, items.GetOrAdd(102)); // numbered by an upsert that never finished
            journal.AppendInteractors([(2, 8L)]); // user 8 clicked item 102
        } // crash
        items = Items(2);
        using (var journal = OpenJournal(directory, items))
        {
            Assert.Empty(journal.TakeReplayedInteractors()); // dropped: 102 was never acknowledged
            Assert.Equal(2, items.GetOrAdd(555)); // a different new item takes ordinal 2
            Assert.True(journal.AppendNumbering()); // its upsert's record
        } // crash again, before any save
        using (var journal = OpenJournal(directory, Items(2)))
            Assert.Empty(journal.TakeReplayedInteractors()); // not credited to item 555
    }

    /// <summary>REVIEW: the same through ServingState: a user who clicked an item that never became durable shows up as a user of another item after two crashes.</summary>
    [Fact]
    public async Task A_click_on_an_item_that_was_never_journaled_is_not_credited_to_another_new_item_after_two_crashes()
    {
        using var rig = new RegistryRig(trained);
        long user = PlantedCatalog.UserId(3);
        int ordinal;
        await using (var state = await rig.CreateAsync(options: Crashing))
        {
            await state.SaveCatalogAsync();
            // What an upsert's Prepare does before its store write and journal append; the process dies before them.
            ordinal = state.Catalog.Items.GetOrAdd(NewItem);
            await state.Pipeline.RecordEventsAsync([new InteractionEvent(user, NewItem, EventType.Click, 1f, rig.NowMs)]);
            Assert.Equal([user], state.Catalog.Interactors.UsersOf(ordinal));
        }
        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.False(state.Catalog.Items.TryGetOrdinal(NewItem, out _));
            Assert.Empty(state.Catalog.Interactors.UsersOf(ordinal)); // dropped, rightly
            await state.Pipeline.UpsertItemAsync(LaterItem, Item("space golden storm", "c0"));
            Assert.Equal(ordinal, Ordinal(state, LaterItem));
            Assert.Empty(state.Catalog.Interactors.UsersOf(ordinal));
        }
        await using (var state = await rig.OpenAsync(Crashing))
        {
            Assert.Equal(ordinal, Ordinal(state, LaterItem));
            Assert.Empty(state.Catalog.Interactors.UsersOf(ordinal));
        }
    }

    /// <summary>
    /// A whole record (its checksums hold) of an entry kind this build does not know was written by a newer build: the
    /// open refuses it saying so, not as damage, whose remedy (remove the file) would lose acknowledged changes.
    /// </summary>
    [Fact]
    public void A_record_of_an_entry_kind_this_build_does_not_know_is_refused_as_a_newer_builds_not_as_damage()
    {
        using var temp = new TempDirectory("recsys-journal");
        string directory = temp.Path;
        var items = Items(1);
        string path;
        using (var journal = OpenJournal(directory, items))
            path = journal.CurrentPath;
        byte[] payload = [42, 1, 2, 3];
        var record = new byte[12 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)payload.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Core.Files.Crc32C.Compute(record.AsSpan(0, 4)));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), Core.Files.Crc32C.Compute(payload));
        payload.CopyTo(record, 12);
        using (var file = new FileStream(path, FileMode.Append))
            file.Write(record);

        var e = Assert.Throws<InvalidDataException>(() => OpenJournal(directory, items));
        Assert.Contains(path, e.Message);
        Assert.Contains("entry kind 42", e.Message);
        Assert.Contains("newer build", e.Message);
        Assert.DoesNotContain("damaged", e.Message);
        Assert.Equal(32 + record.Length, new FileInfo(path).Length); // nothing cut off
    }
}
