using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Cli.Load;

/// <summary>Item metadata rows streamed from a file (CSV: <see cref="ItemMetadataCsv"/>, Parquet: <see cref="ParquetItemMetadata"/>).</summary>
internal interface IItemMetadataSource : IDisposable
{
    /// <summary>How a position in the file is named in messages: "line" (CSV) or "row" (Parquet).</summary>
    string Unit { get; }

    /// <summary>The next item: its position (<see cref="Unit"/>), id and attributes; false at the end. A bad row is an InvalidDataException naming file, position and field.</summary>
    bool TryReadNext(out long position, out string id, out ItemAttributes item);
}
