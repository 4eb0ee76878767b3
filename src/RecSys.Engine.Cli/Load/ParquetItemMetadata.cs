using Parquet;
using Parquet.Schema;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Cli.Load;

/// <summary>
/// Item metadata rows from a Parquet file, one row group at a time; the columns of the CSV form, by name, in any order:
/// <code>
///   id            required: int64, int32 or string
///   title         optional: string (null = none)
///   categories    optional: list&lt;string&gt;, or a '|'-separated string
///   tags          optional: as categories
///   published_at  optional: int64 / int32 unix seconds, a timestamp, or a string as in the CSV (null = unknown)
/// </code>
/// Another column is refused, as in the CSV (a misspelt "titel" would otherwise load nothing, silently). A bad row is an
/// <see cref="InvalidDataException"/> naming the file, the row (1-based over the file) and the column.
/// </summary>
internal sealed class ParquetItemMetadata : IItemMetadataSource
{
    private readonly ParquetTable _table;
    private readonly DataField _id;
    private readonly DataField? _title;
    private readonly (Field Column, DataField? Leaf)? _categories;
    private readonly (Field Column, DataField? Leaf)? _tags;
    private readonly DataField? _published;
    private int _group = -1;
    private int _next;
    private long _rowBase;
    private Batch? _batch;

    private ParquetItemMetadata(ParquetTable table)
    {
        _table = table;
        foreach (var field in table.Schema.Fields)
        {
            if (!ItemMetadataFields.Known.Contains(field.Name, StringComparer.OrdinalIgnoreCase))
                throw new CliInputException($"{table.Path}: column '{field.Name}': unknown column (known: {string.Join(", ", ItemMetadataFields.Known)})");
        }
        _id = table.IdField("id");
        _title = table.Find("title") is { } title ? table.StringField(title) : null;
        _categories = ListOrText(table, "categories");
        _tags = ListOrText(table, "tags");
        if (table.Find("published_at") is { } published)
        {
            _published = published as DataField;
            if (_published is null || _published.MaxRepetitionLevel != 0
                || !(_published.ClrType == typeof(long) || _published.ClrType == typeof(int) || _published.ClrType == typeof(DateTime) || _published.ClrType == typeof(ReadOnlyMemory<char>)))
                throw table.TypeError(published, "int64 or int32 unix seconds, a timestamp, or a string");
        }
    }

    public string Unit => "row";

    public static ParquetItemMetadata Open(string path)
    {
        var table = ParquetTable.Open(path);
        try
        {
            return new ParquetItemMetadata(table);
        }
        catch
        {
            table.Dispose();
            throw;
        }
    }

    public bool TryReadNext(out long position, out string id, out ItemAttributes item)
    {
        while (_batch is null || _next == _batch.Rows)
        {
            if (_group + 1 >= _table.RowGroupCount)
            {
                (position, id, item) = (_rowBase + (_batch?.Rows ?? 0), "", new ItemAttributes());
                return false;
            }
            _rowBase += _batch?.Rows ?? 0;
            _batch = _table.ReadGroup(++_group, _rowBase + 1, Read);
            _next = 0;
        }
        int r = _next++;
        position = _rowBase + r + 1;
        var b = _batch;
        id = b.Numbers[r] is long number ? number.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : b.Texts[r]?.Trim() ?? throw Bad(position, "id", "null id");
        if (id.Length == 0)
            throw Bad(position, "id", "empty id");
        item = new ItemAttributes
        {
            Title = b.Titles?[r] ?? "",
            Categories = b.Categories?[r] ?? [],
            Tags = b.Tags?[r] ?? [],
            PublishedAtMs = PublishedAt(b, r, position),
        };
        return true;
    }

    private long PublishedAt(Batch b, int r, long position)
    {
        string? fault = null;
        long ms = b.PublishedSeconds?[r] is long seconds ? ItemMetadataFields.SecondsToMs(seconds, out fault)
            : b.PublishedTimes?[r] is DateTime time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeMilliseconds()
            : ItemMetadataFields.PublishedAtMs(b.PublishedTexts?[r], out fault);
        if (ms < 0)
            fault = $"{b.PublishedTimes?[r]:O} is before 1970";
        return fault is null ? ms : throw Bad(position, "published_at", fault);
    }

    private Batch Read(ParquetRowGroupReader group)
    {
        var (numbers, texts) = ParquetTable.ReadIds(group, _id);
        var batch = new Batch(numbers.Length, numbers, texts)
        {
            Titles = _title is null ? null : ParquetTable.ReadStrings(group, _title),
            Categories = ReadList(group, _categories),
            Tags = ReadList(group, _tags),
        };
        if (_published is not null && _published.ClrType == typeof(ReadOnlyMemory<char>))
            batch.PublishedTexts = ParquetTable.ReadStrings(group, _published);
        else if (_published is not null && _published.ClrType == typeof(DateTime))
            batch.PublishedTimes = ParquetTable.ReadNullable<DateTime>(group, _published);
        else if (_published is not null)
            batch.PublishedSeconds = ParquetTable.ReadIds(group, _published).Numbers;
        return batch;
    }

    private static string[]?[]? ReadList(ParquetRowGroupReader group, (Field Column, DataField? Leaf)? column)
    {
        if (column is not { } c)
            return null;
        if (c.Leaf is null)
            return [.. ParquetTable.ReadStrings(group, (DataField)c.Column).Select(ItemMetadataFields.List)];
        var lists = ParquetTable.ReadLists<ReadOnlyMemory<char>>(group, c.Leaf, c.Column);
        var rows = new string[]?[lists.Start.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            // A null or empty list is no categories, as an empty CSV field is; a null element is dropped with it.
            var row = lists.Row(r);
            var values = new List<string>(row.Length);
            foreach (var value in row)
            {
                string text = value.ToString().Trim();
                if (text.Length > 0)
                    values.Add(text);
            }
            rows[r] = [.. values];
        }
        return rows;
    }

    /// <summary>A list&lt;string&gt; column (its leaf) or a string column ('|'-separated: leaf null); absent: null.</summary>
    private static (Field, DataField?)? ListOrText(ParquetTable table, string name)
    {
        if (table.Find(name) is not { } field)
            return null;
        if (ParquetTable.ListLeaf(field, typeof(ReadOnlyMemory<char>)) is { } leaf)
            return (field, leaf);
        table.StringField(field); // checks the type (or refuses it)
        return (field, null);
    }

    private InvalidDataException Bad(long row, string column, string reason) => new($"{_table.Path}: row {row}, field '{column}': {reason}");

    public void Dispose() => _table.Dispose();

    /// <summary>One row group's columns, per row.</summary>
    private sealed class Batch(int rows, long?[] numbers, string?[] texts)
    {
        public int Rows { get; } = rows;

        public long?[] Numbers { get; } = numbers;

        public string?[] Texts { get; } = texts;

        public string?[]? Titles { get; init; }

        public string[]?[]? Categories { get; init; }

        public string[]?[]? Tags { get; init; }

        public long?[]? PublishedSeconds { get; set; }

        public DateTime?[]? PublishedTimes { get; set; }

        public string?[]? PublishedTexts { get; set; }
    }
}
