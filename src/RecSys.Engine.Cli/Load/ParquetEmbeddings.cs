using Parquet.Schema;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Cli.Load;

/// <summary>
/// Embeddings from a Parquet file into an <see cref="EmbeddingImport"/>, one row group at a time. Accepted shapes:
/// <code>
///   id       int64 or int32 (the id itself, as a CSV row's first field), or string ("42" is item 42, other text is a
///            string id, as in an --ids file)
///   vector   list&lt;float&gt; or list&lt;double&gt; (LIST logical type, or a legacy repeated float/double column); every row the
///            same length (the first row's); other columns are ignored
/// or, with no column named vector:
///   id + d float/double columns, and nothing else: the wide table, the CSV's id,f1,...,fd; components in file order
/// </code>
/// Double values are narrowed to float32. A null id, a null or empty vector, a null element or a null component is a
/// row error numbered like the import's own (global, 1-based), so --skip-bad skips it and otherwise the load stops
/// naming file, row and field.
/// </summary>
internal sealed class ParquetEmbeddings : IDisposable
{
    public const string IdColumn = "id";
    public const string VectorColumn = "vector";

    private readonly ParquetTable _table;
    private readonly DataField _id;
    private readonly DataField? _leaf;   // the list shape
    private readonly Field? _vector;
    private readonly DataField[] _wide = []; // the wide shape

    private ParquetEmbeddings(ParquetTable table)
    {
        _table = table;
        _id = table.IdField(IdColumn);
        _vector = table.Find(VectorColumn);
        if (_vector is not null)
        {
            _leaf = ParquetTable.ListLeaf(_vector, typeof(float), typeof(double))
                ?? throw table.TypeError(_vector, "list<float> or list<double>");
            return;
        }
        var others = table.Schema.Fields.Where(f => !string.Equals(f.Name, _id.Name, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (others.Length > 0 && others.All(f => f is DataField { MaxRepetitionLevel: 0 } d && (d.ClrType == typeof(float) || d.ClrType == typeof(double))))
            _wide = [.. others.Cast<DataField>()];
        else
            table.Require(VectorColumn, "the embedding: list<float> or list<double>; or else every column but id float or double");
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
        long first = 1;
        for (int g = 0; g < _table.RowGroupCount; g++)
        {
            // A row group's columns are read whole (the unit Parquet compresses), then its rows go to the import.
            var group = _table.ReadGroup(g, first, Read);
            first += group.Rows;
            for (int r = 0; r < group.Rows; r++)
            {
                long? number = group.Numbers[r];
                string? text = group.Texts[r]?.Trim();
                if (number is null && text is null)
                    import.RejectRow(IdColumn, "null id");
                else if (text is { Length: 0 })
                    import.RejectRow(IdColumn, "empty id");
                else if (group.Fault[r] is { } fault)
                    import.RejectRow(fault.Field, fault.Reason);
                else if (number is long id)
                    import.AddRow(id, group.Row(r));
                else
                    import.AddRow(text!, group.Row(r));
            }
        }
    }

    /// <summary>One row group: ids, and the rows' values as float32 packed (each row's start and length), or why a row has none.</summary>
    private sealed class Group(int rows, long?[] numbers, string?[] texts)
    {
        public int Rows { get; } = rows;

        public long?[] Numbers { get; } = numbers;

        public string?[] Texts { get; } = texts;

        public float[] Values { get; set; } = [];

        public int[] Start { get; } = new int[rows];

        public int[] Length { get; } = new int[rows];

        public (string Field, string Reason)?[] Fault { get; } = new (string, string)?[rows];

        public ReadOnlySpan<float> Row(int r) => Values.AsSpan(Start[r], Length[r]);
    }

    private Group Read(Parquet.ParquetRowGroupReader reader)
    {
        var (numbers, texts) = ParquetTable.ReadIds(reader, _id);
        var group = new Group(numbers.Length, numbers, texts);
        if (_leaf is not null)
        {
            if (_leaf.ClrType == typeof(float))
                FromLists(group, ParquetTable.ReadLists<float>(reader, _leaf, _vector!), v => v);
            else
                FromLists(group, ParquetTable.ReadLists<double>(reader, _leaf, _vector!), v => (float)v);
            return group;
        }
        int d = _wide.Length;
        group.Values = new float[group.Rows * d];
        for (int j = 0; j < d; j++)
        {
            float?[] column = _wide[j].ClrType == typeof(float)
                ? ParquetTable.ReadNullable<float>(reader, _wide[j])
                : [.. ParquetTable.ReadNullable<double>(reader, _wide[j]).Select(v => (float?)v)];
            for (int r = 0; r < group.Rows; r++)
            {
                if (column[r] is float value)
                    group.Values[r * d + j] = value;
                else
                    group.Fault[r] ??= (_wide[j].Name, "null");
            }
        }
        for (int r = 0; r < group.Rows; r++)
            (group.Start[r], group.Length[r]) = (r * d, d);
        return group;
    }

    // Narrowed here; a double beyond float range becomes infinite and the import refuses it as not finite.
    private static void FromLists<T>(Group group, ParquetLists<T> lists, Func<T, float> narrow)
    {
        group.Values = typeof(T) == typeof(float) ? (float[])(object)lists.Values : [.. lists.Values.Select(narrow)];
        for (int r = 0; r < group.Rows; r++)
        {
            (group.Start[r], group.Length[r]) = (lists.Start[r], lists.Count[r]);
            if (lists.Fault[r] is { } fault)
                group.Fault[r] = (lists.FaultIndex[r] < 0 ? VectorColumn : $"{VectorColumn}[{lists.FaultIndex[r]}]", fault);
        }
    }

    public void Dispose() => _table.Dispose();
}
