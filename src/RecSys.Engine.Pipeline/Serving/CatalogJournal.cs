using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// The serving catalog's write-ahead log, beside its snapshot (<see cref="CatalogSnapshot"/>): every change the
/// snapshot would hold is appended and fsynced before the call that made it returns, so a crash loses none that was
/// acknowledged. A restart reads the snapshot, then replays the journal files it does not hold over it.
/// <code>
///   DIR/journal-0000000007   header: "RSYSCJNL", version 1, the file's number as int64 at 16 (32 bytes, written durably)
///                            records: uint32 payload length | uint32 CRC-32C of those 4 bytes | uint32 CRC-32C of the
///                                     payload | payload (one record per call: all of it replays, or none)
///   payload entries          1 item ids      first ordinal, count, per id: int64 key, bool named, [UTF-8 name]
///                            2 categories    first id, count, keys     3 segments: the same
///                            4 content row   ordinal, version, value count (0: no vector), float32 values
///                            5 interactors   count, per pair: int32 item ordinal, int64 item key, int64 external user id
/// </code>
/// What is journaled and what is not:
/// <list type="bullet">
/// <item>The numbering (item ids and names, category and segment keys): the store's records are keyed by external id
/// but hold categories and segments as ints, and a restart reads the records of the ordinals it knows. Whatever the
/// tables gained since the last append goes into the next record, whoever added it (an item upsert, a user upsert, a
/// version attached, a rule's category), so an addition whose own append failed is never left out of those after.</item>
/// <item>Content rows: a caller may give the vector itself, and records stored before the store kept titles have none,
/// so a row cannot always be recomputed from the store's record; the vector is journaled with the version whose encoder made it, and replays
/// under the rule the snapshot's rows follow (trained ordinals only under that very version).</item>
/// <item>Item interactors (<see cref="Catalog.ItemInteractors"/>): the users who clicked an item that some serving ALS
/// model has no row for. The store keeps each user's history, not each item's users, so a restart could not find them
/// again short of reading every user; without them an item added since the last save would fold in from fewer users.
/// Only events on such items append (one record per event batch that added a user).</item>
/// <item>Not item records (attributes, deletes): the store has taken them durably before the catalog changes, and a
/// restart reads them back for every ordinal the snapshot and the journal name.</item>
/// <item>Not impression counts: one per shown item would be an fsync on the request path; they stay as of the last
/// save (an item is explored a little longer after a crash).</item>
/// </list>
/// A save rotates: <see cref="Rotate"/> starts file N+1 while catalog writes are held off and the snapshot's contents
/// are captured, the snapshot names N+1 as its first unsaved file, and only once its pointer is committed are the files
/// before N+1 deleted. A crash at any point leaves the old snapshot with every file after it, or the new one with its
/// own, so no change is ever in neither. A record cut short by a crash (the last one of the newest file) is dropped and
/// cut off; a bad record anywhere else is an <see cref="InvalidDataException"/> naming the file and the byte offset.
/// Thread-safe: appends are serialised here (item writes are serialised by the pipeline already; user upserts are not).
/// </summary>
internal sealed class CatalogJournal : IDisposable
{
    private const string FilePrefix = "journal-";
    private const int HeaderSize = 32;
    private const int SequenceOffset = 16;
    private const int RecordHeaderSize = 12;

    /// <summary>Far above any record written (an attach adding a whole catalog's ids), small enough for one array.</summary>
    private const int MaxPayloadBytes = 1 << 30;

    private static readonly BinaryFileFormat Format = new("RecSys catalog journal", "RSYSCJNL"u8, version: 1, headerSize: HeaderSize);

    private enum Entry : byte
    {
        Items = 1,
        Categories = 2,
        Segments = 3,
        Content = 4,
        Interactors = 5,
    }

    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly CatalogIdMap _items;
    private readonly KeyTable _categories;
    private readonly KeyTable _segments;
    private FileStream? _file;
    private long _sequence;
    private long _length;
    private bool _hasRecords;
    private bool _broken;
    private int _journaledItems;
    private int _journaledCategories;
    private int _journaledSegments;
    private long _changes;
    private Dictionary<int, JournaledContentRow>? _replayedContent;
    private List<(int Ordinal, long Item, long User)>? _replayedInteractors;

    private CatalogJournal(string directory, CatalogIdMap items, KeyTable categories, KeyTable segments)
    {
        _directory = directory;
        _items = items;
        _categories = categories;
        _segments = segments;
    }

    /// <summary>The file appends go to now.</summary>
    public string CurrentPath
    {
        get { lock (_lock) return PathOf(_directory, _sequence); }
    }

    /// <summary>Records <see cref="Open"/> replayed.</summary>
    public long ReplayedRecords { get; private set; }

    /// <summary>What <see cref="Open"/> found cut short at the end of the newest file and cut off (null: nothing).</summary>
    public string? DroppedTail { get; private set; }

    /// <summary>Changes journaled (or noted) since open: a save that finds the count it saved last has nothing new to save.</summary>
    public long Changes
    {
        get { lock (_lock) return _changes; }
    }

    public static string PathOf(string directory, long sequence) =>
        Path.Combine(directory, FilePrefix + sequence.ToString("D10", CultureInfo.InvariantCulture));

    /// <summary>
    /// Replays the journal files of <paramref name="directory"/> from number <paramref name="from"/> on (the first one
    /// the snapshot read does not hold; 0: all) into the numbering (<paramref name="items"/>, <paramref name="categories"/>,
    /// <paramref name="segments"/>: the snapshot's, or the version's when there is none), keeps the content rows for
    /// the caller (<see cref="TakeReplayedContent"/>), and opens the newest file for appending (a new one when there is
    /// none). Files before <paramref name="from"/> are deleted: the snapshot holds them, a crash left them.
    /// </summary>
    public static CatalogJournal Open(string directory, long from, CatalogIdMap items, KeyTable categories, KeyTable segments)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        DurableFile.CreateDirectory(directory);
        var files = List(directory);
        foreach (var (sequence, path) in files)
        {
            if (sequence < from)
                File.Delete(path);
        }
        files.RemoveAll(f => f.Sequence < from);
        long expected = from > 0 ? from : files.Count > 0 ? files[0].Sequence : 1;
        foreach (var (sequence, _) in files)
        {
            if (sequence != expected)
                throw new InvalidDataException($"{PathOf(directory, expected)} is missing: the catalog snapshot in {directory} needs every journal file from {from} on, "
                    + "and the changes in this one would be lost (restore it, or remove the directory's CURRENT and every journal file to start over from the version's catalog)");
            expected++;
        }
        if (from > 0 && files.Count == 0)
            throw new InvalidDataException($"{PathOf(directory, from)} is missing: the catalog snapshot in {directory} names it as its journal, and the changes in it would be lost "
                + "(restore it, or remove the directory's CURRENT and every journal file to start over from the version's catalog)");

        var journal = new CatalogJournal(directory, items, categories, segments);
        var content = new Dictionary<int, JournaledContentRow>();
        var interactors = new List<(int, long, long)>();
        long records = 0;
        long end = HeaderSize;
        for (int i = 0; i < files.Count; i++)
        {
            var (count, good, dropped) = journal.Replay(files[i].Path, files[i].Sequence, isNewest: i == files.Count - 1, content, interactors);
            records += count;
            end = good;
            journal.DroppedTail = dropped;
        }
        try
        {
            if (files.Count == 0)
            {
                journal._sequence = Math.Max(from, 1);
                journal._file = CreateFile(directory, journal._sequence);
            }
            else
            {
                journal._sequence = files[^1].Sequence;
                journal._file = OpenForAppend(files[^1].Path);
                if (journal._file.Length != end)
                {
                    // Cut off the torn record, so the next append starts where the last whole one ended.
                    journal._file.SetLength(end);
                    journal._file.Flush(flushToDisk: true);
                }
            }
        }
        catch
        {
            journal.Dispose();
            throw;
        }
        journal._length = end;
        journal._hasRecords = end > HeaderSize;
        journal._journaledItems = items.Count;
        journal._journaledCategories = categories.Count;
        journal._journaledSegments = segments.Count;
        journal.ReplayedRecords = records;
        journal._replayedContent = content;
        journal._replayedInteractors = interactors;
        return journal;
    }

    /// <summary>The content rows replay found, by ordinal (the last one of each); handed over once.</summary>
    public Dictionary<int, JournaledContentRow> TakeReplayedContent()
    {
        var rows = _replayedContent ?? [];
        _replayedContent = null;
        return rows;
    }

    /// <summary>
    /// The item interactors replay found, in the order they were journaled, each of an item the replayed numbering has
    /// at that ordinal under the same key. An ordinal numbered for an upsert whose record never came is left out (the
    /// item was never acknowledged), and so is one that a later item took after a restart forgot it (the key tells them
    /// apart, so the user of the lost item is never credited to the next one); handed over once.
    /// </summary>
    public List<(int Ordinal, long User)> TakeReplayedInteractors()
    {
        var replayed = _replayedInteractors ?? [];
        _replayedInteractors = null;
        int known = _items.Count;
        var pairs = new List<(int, long)>(replayed.Count);
        foreach (var (ordinal, item, user) in replayed)
        {
            if (ordinal < known && _items.ExternalId(ordinal) == item)
                pairs.Add((ordinal, user));
        }
        return pairs;
    }

    /// <summary>
    /// Journals what the numbering gained since the last append (item ids, category and segment keys), durably; does
    /// nothing when it gained nothing. Returns whether a record was written.
    /// </summary>
    public bool AppendNumbering()
    {
        lock (_lock)
            return AppendLocked([], force: false);
    }

    /// <summary>
    /// <see cref="AppendNumbering"/>, but only when the category or segment tables gained a key: what a record already
    /// stored (an existing item's, a profile's) may name by number, so such a key must be durable before the store
    /// takes the record. Item ids alone wait for the next append: a restart that does not know an id never reads its
    /// record. Item ids from ordinal <paramref name="itemsBelow"/> on (numbered for brand-new ids whose store writes
    /// have not happened yet) are left for the next append, so a restart cannot know an id before the store has its
    /// record. Returns whether a record was written.
    /// </summary>
    public bool AppendNewKeys(int itemsBelow = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemsBelow);
        lock (_lock)
            return (_categories.Count != _journaledCategories || _segments.Count != _journaledSegments) && AppendLocked([], force: false, itemsBelow);
    }

    /// <summary>
    /// Journals the content vectors <paramref name="rows"/> (by ordinal; each made under the version it names, all
    /// zeros or empty: the item has none) with whatever the numbering gained, as one record with one fsync: all of it
    /// replays, or none. An empty list is <see cref="AppendNumbering"/>.
    /// </summary>
    public void AppendContent(ReadOnlySpan<(int Ordinal, JournaledContentRow Row)> rows)
    {
        foreach (var (ordinal, row) in rows)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
            ArgumentNullException.ThrowIfNull(row.Version);
        }
        lock (_lock)
            AppendLocked(rows, force: !rows.IsEmpty);
    }

    /// <summary>
    /// Journals users added to items' interactors (<see cref="Catalog.ItemInteractors.Add(int, long)"/>), as one record
    /// with one fsync, each with its item's key. Item ids the numbering gained are not written with them: an event can
    /// name an item whose upsert has numbered it but not stored it yet, and a restart must not know an id before the
    /// store has its record. A pair whose item no record numbers, under that key, is dropped at replay.
    /// </summary>
    public void AppendInteractors(ReadOnlySpan<(int Ordinal, long User)> pairs)
    {
        int known = _items.Count;
        foreach (var (ordinal, _) in pairs)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(ordinal, known);
        }
        if (pairs.IsEmpty)
            return;
        lock (_lock)
            AppendLocked([], force: true, itemsBelow: 0, interactors: pairs);
    }

    /// <summary>Counts a change to what a snapshot saves that is not journaled (rows an attached version rewrote), so the next save is not skipped.</summary>
    public void NoteChange()
    {
        lock (_lock)
            _changes++;
    }

    /// <summary>
    /// Starts a new journal file for the appends after a snapshot captured now (call it with catalog writes held off,
    /// then capture); returns its number, which the snapshot names as the first it does not hold. The current file is
    /// kept while it has no record (its number is returned). Numbering not journaled yet (an append failed) goes into
    /// the new file first, so that it is journaled even if the snapshot is never committed.
    /// </summary>
    public long Rotate()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_file is null, this);
            if (!_hasRecords && !_broken && !HasPendingNumbering())
                return _sequence;
            // A file that ends in the bytes of a failed append must be cut back before another follows it: a restart
            // before the snapshot commits replays it, and only the newest file may end in a torn record.
            if (_broken)
                CutBack();
            var next = CreateFile(_directory, _sequence + 1);
            _file.Dispose();
            _file = next;
            _sequence++;
            _length = HeaderSize;
            _hasRecords = false;
            _broken = false;
            AppendLocked([], force: false);
            return _sequence;
        }
    }

    /// <summary>Deletes the files before number <paramref name="from"/>: a committed snapshot holds their changes.</summary>
    public void DeleteBefore(long from)
    {
        lock (_lock)
        {
            foreach (var (sequence, path) in List(_directory))
            {
                if (sequence < from && sequence != _sequence)
                {
                    // One left behind is deleted by the next open (it is before the snapshot's first file).
                    try { File.Delete(path); } catch (IOException) { }
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    private bool HasPendingNumbering() =>
        _items.Count != _journaledItems || _categories.Count != _journaledCategories || _segments.Count != _journaledSegments;

    private bool AppendLocked(ReadOnlySpan<(int Ordinal, JournaledContentRow Row)> rows, bool force, int itemsBelow = int.MaxValue,
        ReadOnlySpan<(int Ordinal, long User)> interactors = default)
    {
        ObjectDisposedException.ThrowIf(_file is null, this);
        int items = Math.Max(_journaledItems, Math.Min(_items.Count, itemsBelow)), categories = _categories.Count, segments = _segments.Count;
        if (!force && items == _journaledItems && categories == _journaledCategories && segments == _journaledSegments)
            return false;
        var buffer = new MemoryStream();
        buffer.Write(new byte[RecordHeaderSize]);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            if (items > _journaledItems)
            {
                writer.Write((byte)Entry.Items);
                writer.Write(_journaledItems);
                writer.Write(items - _journaledItems);
                for (int o = _journaledItems; o < items; o++)
                {
                    writer.Write(_items.ExternalId(o));
                    string? name = _items.NameOf(o);
                    writer.Write(name is not null);
                    if (name is not null)
                        writer.Write(name);
                }
            }
            WriteKeys(writer, Entry.Categories, _categories, _journaledCategories, categories);
            WriteKeys(writer, Entry.Segments, _segments, _journaledSegments, segments);
            // After the numbering, in the same record: a row's ordinal is always one the replay already knows.
            foreach (var (ordinal, row) in rows)
            {
                writer.Write((byte)Entry.Content);
                writer.Write(ordinal);
                writer.Write(row.Version);
                bool any = row.Row.AsSpan().ContainsAnyExcept(0f);
                writer.Write(any ? row.Row.Length : 0);
                if (any)
                {
                    foreach (float v in row.Row)
                        writer.Write(v);
                }
            }
            if (!interactors.IsEmpty)
            {
                writer.Write((byte)Entry.Interactors);
                writer.Write(interactors.Length);
                foreach (var (ordinal, user) in interactors)
                {
                    writer.Write(ordinal);
                    writer.Write(_items.ExternalId(ordinal));
                    writer.Write(user);
                }
            }
        }
        if (buffer.Length - RecordHeaderSize > MaxPayloadBytes)
            throw new InvalidOperationException($"a catalog journal record of {buffer.Length - RecordHeaderSize} bytes: more than {MaxPayloadBytes} can be read back");
        Span<byte> record = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(record.Length - RecordHeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Crc32C.Compute(record[..4]));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], Crc32C.Compute(record[RecordHeaderSize..]));
        Write(record);
        _journaledItems = items;
        _journaledCategories = categories;
        _journaledSegments = segments;
        _hasRecords = true;
        _changes++;
        return true;
    }

    private static void WriteKeys(BinaryWriter writer, Entry entry, KeyTable table, int from, int to)
    {
        if (to <= from)
            return;
        writer.Write((byte)entry);
        writer.Write(from);
        writer.Write(to - from);
        for (int id = from; id < to; id++)
            writer.Write(table.KeyOf(id)!);
    }

    /// <summary>One write and an fsync; a failed one is cut off again, so the next record follows the last whole one.</summary>
    private void Write(ReadOnlySpan<byte> record)
    {
        if (_broken)
            CutBack();
        try
        {
            _file!.Position = _length;
            _file.Write(record);
            _file.Flush(flushToDisk: true);
            _length += record.Length;
        }
        catch
        {
            try
            {
                _file!.SetLength(_length);
                _file.Flush(flushToDisk: true);
            }
            catch (Exception)
            {
                _broken = true;
            }
            throw;
        }
    }

    /// <summary>
    /// Cuts the current file back to its last whole record, durably, after an append whose own cut back failed; clears
    /// <see cref="_broken"/>, or throws while the file still cannot be cut (nothing more is appended to it meanwhile).
    /// </summary>
    private void CutBack()
    {
        string path = PathOf(_directory, _sequence);
        try
        {
            _file!.SetLength(_length);
            _file.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: an earlier append failed and the file still cannot be cut back to byte {_length}, so nothing more is journaled "
                + "and no newer journal file is started", e);
        }
        _broken = false;
    }

    private static FileStream CreateFile(string directory, long sequence)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        Format.WriteHeader(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[SequenceOffset..], sequence);
        string path = PathOf(directory, sequence);
        // Whole or absent after a crash: a file with a torn header would stop the next open.
        DurableFile.WriteAllBytes(path, header);
        return OpenForAppend(path);
    }

    // Unbuffered: each record is one write to the OS, then fsynced. FileShare.Read: a second server on the same
    // directory (a replica configured with the same Serving:CatalogDirectory) fails to open instead of interleaving.
    private static FileStream OpenForAppend(string path) => new(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);

    private static List<(long Sequence, string Path)> List(string directory)
    {
        var files = new List<(long, string)>();
        foreach (string path in Directory.EnumerateFiles(directory, FilePrefix + "*"))
        {
            string suffix = Path.GetFileName(path)[FilePrefix.Length..];
            if (suffix.Length == 10 && long.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
                files.Add((sequence, path));
            // Anything else (journal-N.tmp from a crash while a new file's header was written) is not a journal file.
        }
        files.Sort();
        return files;
    }

    /// <summary>Replays one file; returns the records, the offset just past the last good one, and what was cut short after it.</summary>
    private (long Records, long End, string? Dropped) Replay(string path, long sequence, bool isNewest, Dictionary<int, JournaledContentRow> content,
        List<(int, long, long)> interactors)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        Span<byte> header = stackalloc byte[HeaderSize];
        int read = fs.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        Format.CheckHeader(header[..read], fs.Length, path);
        long stored = BinaryPrimitives.ReadInt64LittleEndian(header[SequenceOffset..]);
        if (stored != sequence)
            throw new InvalidDataException($"{path}: the header says journal file {stored} (corrupt, or renamed)");
        long length = fs.Length, offset = HeaderSize, records = 0;
        Span<byte> recordHeader = stackalloc byte[RecordHeaderSize];
        while (offset < length)
        {
            string torn;
            long left = length - offset;
            if (left < RecordHeaderSize)
            {
                torn = $"a record header cut short ({left} of {RecordHeaderSize} bytes)";
            }
            else
            {
                fs.Position = offset;
                fs.ReadExactly(recordHeader);
                uint size = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader);
                if (BinaryPrimitives.ReadUInt32LittleEndian(recordHeader[4..]) != Crc32C.Compute(recordHeader[..4]))
                {
                    // A crash can leave the file longer than what reached the disk, the rest zeros. A header that
                    // straddles a sector or page boundary can keep a few of its own bytes before them, so what must
                    // be zero is everything after the header (a torn header with a payload after it is damage).
                    if (!IsZeroFrom(fs, offset + RecordHeaderSize))
                        throw Corrupt(path, offset, "the record's length fails its checksum");
                    torn = "a record header cut short, only zeros after it";
                }
                else if (size > MaxPayloadBytes)
                {
                    throw Corrupt(path, offset, $"a record of {size} bytes, more than any written");
                }
                else if (size > left - RecordHeaderSize)
                {
                    torn = $"a record of {size} bytes cut short at {left - RecordHeaderSize}";
                }
                else
                {
                    var payload = new byte[size];
                    fs.ReadExactly(payload);
                    if (BinaryPrimitives.ReadUInt32LittleEndian(recordHeader[8..]) == Crc32C.Compute(payload))
                    {
                        Apply(payload, path, offset, content, interactors);
                        records++;
                        offset += RecordHeaderSize + size;
                        continue;
                    }
                    // The last record of the file may be the one a crash cut into; a bad record with others after it cannot.
                    if (offset + RecordHeaderSize + size != length)
                        throw Corrupt(path, offset, "the record fails its checksum, and more follow it");
                    torn = "the last record fails its checksum";
                }
            }
            if (!isNewest)
                throw Corrupt(path, offset, $"{torn}, in a journal file a newer one follows (only the newest can end in a record a crash cut into)");
            return (records, offset, $"{path}: byte {offset}: {torn}");
        }
        return (records, offset, null);
    }

    private static bool IsZeroFrom(FileStream fs, long offset)
    {
        fs.Position = offset;
        var buffer = new byte[1 << 16];
        int n;
        while ((n = fs.Read(buffer)) > 0)
        {
            if (buffer.AsSpan(0, n).ContainsAnyExcept((byte)0))
                return false;
        }
        return true;
    }

    private static InvalidDataException Corrupt(string path, long offset, string why, Exception? inner = null) =>
        new($"{path}: catalog journal record at byte {offset}: {why}; the records after it cannot be trusted, so the catalog is not opened "
            + "(a damaged journal loses acknowledged catalog changes: restore the file, or remove it and accept their loss)", inner);

    private void Apply(byte[] payload, string path, long offset, Dictionary<int, JournaledContentRow> content, List<(int, long, long)> interactors)
    {
        using var reader = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
        byte? newer = null;
        try
        {
            while (reader.BaseStream.Position < payload.Length)
            {
                var entry = (Entry)reader.ReadByte();
                switch (entry)
                {
                    case Entry.Items:
                    {
                        int first = reader.ReadInt32(), count = reader.ReadInt32();
                        for (int i = 0; i < count; i++)
                        {
                            long key = reader.ReadInt64();
                            string? name = reader.ReadBoolean() ? reader.ReadString() : null;
                            ReplayItem(checked(first + i), key, name);
                        }
                        break;
                    }
                    case Entry.Categories:
                    case Entry.Segments:
                    {
                        var table = entry == Entry.Categories ? _categories : _segments;
                        int first = reader.ReadInt32(), count = reader.ReadInt32();
                        for (int i = 0; i < count; i++)
                            ReplayKey(table, entry == Entry.Categories ? "category" : "segment", checked(first + i), reader.ReadString());
                        break;
                    }
                    case Entry.Content:
                    {
                        int ordinal = reader.ReadInt32();
                        string version = reader.ReadString();
                        int n = reader.ReadInt32();
                        if (ordinal < 0 || n < 0 || n > (payload.Length - reader.BaseStream.Position) / sizeof(float))
                            throw new InvalidDataException($"a content row of {n} values for ordinal {ordinal}");
                        var row = new float[n];
                        for (int i = 0; i < n; i++)
                            row[i] = reader.ReadSingle();
                        content[ordinal] = new JournaledContentRow(version, row);
                        break;
                    }
                    case Entry.Interactors:
                    {
                        int n = reader.ReadInt32();
                        if (n < 1 || n > (payload.Length - reader.BaseStream.Position) / (sizeof(int) + 2 * sizeof(long)))
                            throw new InvalidDataException($"{n} item interactors, with {payload.Length - reader.BaseStream.Position} bytes left");
                        for (int i = 0; i < n; i++)
                        {
                            int ordinal = reader.ReadInt32();
                            long item = reader.ReadInt64(), user = reader.ReadInt64();
                            if (ordinal < 0)
                                throw new InvalidDataException($"an item interactor of ordinal {ordinal}");
                            interactors.Add((ordinal, item, user));
                        }
                        break;
                    }
                    default:
                        // The record's checksum held, so this is not damage: a newer build wrote a kind this one does
                        // not know. Said as such, rather than as a damaged journal whose remedy (remove it) loses data.
                        newer = (byte)entry;
                        reader.BaseStream.Position = payload.Length;
                        break;
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException or OverflowException or DecoderFallbackException)
        {
            throw Corrupt(path, offset, e.Message, e);
        }
        if (newer is { } kind)
            throw new InvalidDataException($"{path}: catalog journal record at byte {offset}: entry kind {kind}, which this build does not read; its checksum "
                + "holds, so a newer build wrote it. Open the catalog with that build: its changes are acknowledged, and removing the file would lose them");
    }

    /// <summary>
    /// An id the journal numbered: one the map has already must be the same (a snapshot captured just after the record
    /// holds it too), the next one is added, one past it means a record is missing.
    /// </summary>
    private void ReplayItem(int ordinal, long key, string? name)
    {
        if (ordinal < _items.Count)
        {
            if (_items.ExternalId(ordinal) != key || _items.NameOf(ordinal) != name)
                throw new InvalidDataException($"ordinal {ordinal} is item {Describe(key, name)} here, but {Describe(_items.ExternalId(ordinal), _items.NameOf(ordinal))} "
                    + "in the catalog it replays over (a journal of another catalog?)");
            return;
        }
        if (ordinal > _items.Count)
            throw new InvalidDataException($"ordinal {ordinal} follows ordinal {_items.Count - 1}: the records numbering those between are missing");
        if (name is not null && CatalogIdMap.KeyOf(name) != key)
            throw new InvalidDataException($"item '{name}' is recorded with key {key}, which is not its key");
        int added = name is null ? _items.GetOrAdd(key) : _items.GetOrAdd(name);
        if (added != ordinal)
            throw new InvalidDataException($"item {Describe(key, name)} is recorded at ordinal {ordinal}, but the catalog has it at {added}");
    }

    private static void ReplayKey(KeyTable table, string what, int id, string key)
    {
        int count = table.Count;
        if (id < count)
        {
            if (table.KeyOf(id) != key)
                throw new InvalidDataException($"{what} {id} is '{key}' here, but '{table.KeyOf(id)}' in the catalog it replays over (a journal of another catalog?)");
            return;
        }
        if (id > count)
            throw new InvalidDataException($"{what} {id} follows {what} {count - 1}: the records numbering those between are missing");
        int added = table.GetOrAdd(key);
        if (added != id)
            throw new InvalidDataException($"{what} '{key}' is recorded as {id}, but the catalog has it as {added}");
    }

    private static string Describe(long key, string? name) => name is null ? key.ToString(CultureInfo.InvariantCulture) : $"'{name}'";
}
