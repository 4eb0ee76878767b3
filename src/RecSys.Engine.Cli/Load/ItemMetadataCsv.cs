using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Cli.Load;

/// <summary>
/// Streams item metadata rows from a CSV file with a header naming its columns, in any order:
/// <code>
///   id            required: the item id (a number, or any text)
///   title         optional
///   categories    optional, '|'-separated ("Action|Comedy")
///   tags          optional, '|'-separated
///   published_at  optional: unix seconds, or an ISO 8601 time ("2024-05-01T12:00:00Z"); empty = unknown
/// </code>
/// Quoted fields follow RFC 4180 (titles with commas). A bad row is an <see cref="InvalidDataException"/> naming the
/// file, the line and the column.
/// </summary>
internal sealed class ItemMetadataCsv(string path) : IItemMetadataSource
{
    private static string[] Known => ItemMetadataFields.Known;

    private readonly StreamReader _reader = new(path);
    private readonly List<string> _fields = [];
    private Dictionary<string, int>? _columns;
    private long _line;

    public string Unit => "line";

    /// <summary>The next row: its line number, id and attributes; false at the end of the file.</summary>
    public bool TryReadNext(out long line, out string id, out ItemAttributes item)
    {
        _columns ??= ReadHeader();
        string? text;
        do
        {
            text = _reader.ReadLine();
            _line++;
        }
        while (text is not null && text.Trim().Length == 0);
        line = _line;
        if (text is null)
        {
            (id, item) = ("", new ItemAttributes());
            return false;
        }
        Split(text);
        if (_fields.Count != _columns.Count)
            throw Bad("", $"{_fields.Count} fields, the header has {_columns.Count}");
        id = Field("id")!;
        if (id.Length == 0)
            throw Bad("id", "empty id");
        item = new ItemAttributes
        {
            Title = Field("title") ?? "",
            Categories = ItemMetadataFields.List(Field("categories")),
            Tags = ItemMetadataFields.List(Field("tags")),
            PublishedAtMs = PublishedAt(Field("published_at")),
        };
        return true;
    }

    private Dictionary<string, int> ReadHeader()
    {
        string? header = _reader.ReadLine();
        _line++;
        if (header is null)
            throw new InvalidDataException($"{path}: empty file (expected a header: {string.Join(",", Known)})");
        Split(header);
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < _fields.Count; i++)
        {
            string name = _fields[i].Trim();
            if (!Known.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw Bad(name, $"unknown column (known: {string.Join(", ", Known)})");
            if (!columns.TryAdd(name, i))
                throw Bad(name, "column given twice");
        }
        if (!columns.ContainsKey("id"))
            throw Bad("id", "the header has no id column");
        return columns;
    }

    private void Split(string text)
    {
        if (!CsvFields.TrySplit(text, ',', _fields, out string? error))
            throw Bad("", error!);
    }

    private string? Field(string column) => _columns!.TryGetValue(column, out int i) ? _fields[i].Trim() : null;

    private long PublishedAt(string? text)
    {
        long ms = ItemMetadataFields.PublishedAtMs(text, out string? fault);
        return fault is null ? ms : throw Bad("published_at", fault);
    }

    private InvalidDataException Bad(string column, string reason) =>
        new($"{path}: line {_line}{(column.Length == 0 ? "" : $", field '{column}'")}: {reason}");

    public void Dispose() => _reader.Dispose();
}
