using Parquet.Schema;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Cli.Load;

/// <summary>
/// Embeddings from a Parquet file into an <see cref="EmbeddingImport"/>, one row group at a time. Accepted shape:
/// <code>
///   id       int64 or int32 (the id itself, as a CSV row's first field), or string ("42" is item 42, other text is a
///            string id, as in an --ids file)
///   vector   list&lt;float&gt; or list&lt;double&gt; (LIST logical type, or a legacy repeated float/double column); every row the
///            same length (the first row's); double values are narrowed to float32
/// </code>
/// Other columns are ignored. A null id, a null or empty vector or a null element is a row error numbered like the
/// import's own (global, 1-based), so --skip-bad skips it and otherwise the load stops naming file, row and field.
/// </summary>
internal sealed class ParquetEmbeddings : IDisposable
{
    public const string IdColumn = "id";
    public const string VectorColumn = "vector";

    private readonly ParquetTable _table;
    private readonly DataField _id;
    private readonly DataField _leaf;
    private readonly Field _vector;

    private ParquetEmbeddings(ParquetTable table)
    {
        _table = table;
        _id = table.IdField(IdColumn);
        _vector = table.Require(VectorColumn, "the embedding: list<float> or list<double>");
        _leaf = ParquetTable.ListLeaf(_vector, typeof(float), typeof(double))
            ?? throw table.TypeError(_vector, "list<float> or list<double>");
    }

    /// <summary>Rows in the file.</summary>
    public long Count => _table.Rows;

    public static ParquetEmbeddings Open(string path)
    {
        var table = ParquetTable.Open(path);
        try
        {
            return new ParquetEmbeddings(table);
        }
        catch
        {
            table.Dispose();
            throw;
        }
    }

    /// <summary>Every row into <paramref name="import"/>, in file order.</summary>
    public void ReadInto(EmbeddingImport import)
    {
        float[] row = [];
        long first = 1;
        for (int g = 0; g < _table.RowGroupCount; g++)
        {
            // The row group's columns are read whole (the unit Parquet compresses), then its rows go to the import.
            var ((numbers, texts), floats, doubles) = _table.ReadGroup(g, first, group => (
                ParquetTable.ReadIds(group, _id),
                _leaf.ClrType == typeof(float) ? ParquetTable.ReadLists<float>(group, _leaf, _vector) : null,
                _leaf.ClrType == typeof(double) ? ParquetTable.ReadLists<double>(group, _leaf, _vector) : null));
            first += numbers.Length;
            if (floats is { } lists)
            {
                for (int r = 0; r < numbers.Length; r++)
                    Add(import, numbers[r], texts[r], lists, r, lists.Row(r));
            }
            else if (doubles is { } wide)
            {
                for (int r = 0; r < numbers.Length; r++)
                {
                    var values = wide.Row(r);
                    if (row.Length < values.Length)
                        row = new float[values.Length];
                    // Narrowed here; a double beyond float range becomes infinite and the import refuses it as not finite.
                    for (int i = 0; i < values.Length; i++)
                        row[i] = (float)values[i];
                    Add(import, numbers[r], texts[r], wide, r, row.AsSpan(0, values.Length));
                }
            }
        }
    }

    private static void Add<T>(EmbeddingImport import, long? number, string? text, ParquetLists<T> lists, int r, ReadOnlySpan<float> vector)
    {
        if (number is null && text is null)
            import.RejectRow(IdColumn, "null id");
        else if (text is not null && text.Trim().Length == 0)
            import.RejectRow(IdColumn, "empty id");
        else if (lists.Fault[r] is string fault)
            import.RejectRow(lists.FaultIndex[r] < 0 ? VectorColumn : $"{VectorColumn}[{lists.FaultIndex[r]}]", fault);
        else if (number is long id)
            import.AddRow(id, vector);
        else
            import.AddRow(text!.Trim(), vector);
    }

    public void Dispose() => _table.Dispose();
}
