using Parquet;
using Parquet.Schema;

namespace RecSys.Engine.Cli.Load;

/// <summary>
/// A Parquet file opened for <c>recsys load</c>: its top-level columns found by name and checked for type, and each row
/// group's columns read into per-row arrays, one row group at a time (never the whole file).
/// <code>
///   ParquetTable        open (not Parquet -> exit 2), find a column (missing -> exit 2 listing the columns present)
///     ReadIds           int64 / int32 / string, null per row
///     ReadStrings       string, null per row
///     ReadLists&lt;T&gt;      list&lt;T&gt; (or a legacy repeated T): packed values, each row's start and count, or why it has none
/// </code>
/// It lives in the CLI, not in Core's vector readers: Core depends on System.Numerics.Tensors alone, and Parquet.Net
/// (with its compression codecs) is a file-format concern of the loader only. Parquet.Net is async; the CLI is not, so
/// the reads block (one file, one reader: nothing to overlap).
/// </summary>
internal sealed class ParquetTable : IDisposable
{
    private readonly ParquetReader _reader;

    private ParquetTable(string path, ParquetReader reader)
    {
        Path = path;
        _reader = reader;
        long rows = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
            rows += reader.OpenRowGroupReader(g).RowCount;
        Rows = rows;
    }

    public string Path { get; }

    /// <summary>Rows in the file (the footer says; nothing is read for it).</summary>
    public long Rows { get; }

    public int RowGroupCount => _reader.RowGroupCount;

    public static ParquetTable Open(string path)
    {
        ParquetReader reader;
        try
        {
            reader = ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or ParquetException or InvalidOperationException or ArgumentException)
        {
            // Parquet.Net says "not a parquet file, head: ..., tail: ..." (IOException) or fails on the footer.
            throw new CliInputException($"{path}: not a readable Parquet file ({e.Message})");
        }
        return new ParquetTable(path, reader);
    }

    /// <summary>The top-level column <paramref name="name"/> (case-insensitive), or null.</summary>
    public Field? Find(string name) =>
        _reader.Schema.Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The top-level column <paramref name="name"/>; missing, it is bad input naming the columns the file has.</summary>
    public Field Require(string name, string expected) =>
        Find(name) ?? throw new CliInputException($"{Path}: no column '{name}' ({expected}); the file has {Columns()}");

    /// <summary>The top-level columns, for messages.</summary>
    public string Columns() => string.Join(", ", _reader.Schema.Fields.Select(f => $"'{f.Name}' ({Describe(f)})"));

    public ParquetSchema Schema => _reader.Schema;

    public ParquetRowGroupReader Group(int index) => _reader.OpenRowGroupReader(index);

    /// <summary>
    /// Reads row group <paramref name="index"/> (its first row is <paramref name="firstRow"/>, 1-based) with
    /// <paramref name="read"/>; a page Parquet.Net cannot decode (a damaged file) is bad input naming the file and the
    /// rows, not an internal failure.
    /// </summary>
    public TBatch ReadGroup<TBatch>(int index, long firstRow, Func<ParquetRowGroupReader, TBatch> read)
    {
        var group = Group(index);
        try
        {
            return read(group);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            // Whatever the decoder throws on a damaged page (its own exception types, IndexOutOfRange, a thrift error)
            // comes from the file's bytes: the user's to fix, so exit 2 with the decoder's words, not a crash report.
            throw new InvalidDataException($"{Path}: rows {firstRow}-{firstRow + group.RowCount - 1} (row group {index + 1}): cannot be read ({e.Message})");
        }
    }

    /// <summary>An id column: int64, int32 or string, not repeated.</summary>
    public DataField IdField(string name)
    {
        var field = Require(name, "the item id: int64, int32 or string");
        if (field is DataField d && d.MaxRepetitionLevel == 0 && (d.ClrType == typeof(long) || d.ClrType == typeof(int) || d.ClrType == typeof(ReadOnlyMemory<char>)))
            return d;
        throw TypeError(field, "int64, int32 or string");
    }

    /// <summary>A string column, not repeated.</summary>
    public DataField StringField(Field field)
    {
        if (field is DataField d && d.MaxRepetitionLevel == 0 && d.ClrType == typeof(ReadOnlyMemory<char>))
            return d;
        throw TypeError(field, "string");
    }

    /// <summary>The leaf of a list column (or a legacy repeated column) whose elements are one of <paramref name="elements"/>; null when the column is not a list.</summary>
    public static DataField? ListLeaf(Field field, params Type[] elements)
    {
        DataField? leaf = field switch
        {
            ListField { Item: DataField item } => item,
            DataField { MaxRepetitionLevel: 1 } repeated => repeated,
            _ => null,
        };
        return leaf is not null && leaf.MaxRepetitionLevel == 1 && elements.Contains(leaf.ClrType) ? leaf : null;
    }

    public CliInputException TypeError(Field field, string expected) =>
        new($"{Path}: column '{field.Name}' is {Describe(field)}, expected {expected}");

    /// <summary>A column's type in the words of the messages: int64, string, list&lt;float&gt;, struct.</summary>
    public static string Describe(Field field) => field switch
    {
        ListField { Item: DataField item } => $"list<{TypeName(item.ClrType)}>",
        ListField => "list<struct>",
        DataField { MaxRepetitionLevel: > 0 } d => $"repeated {TypeName(d.ClrType)}",
        DataField d => TypeName(d.ClrType),
        _ => field.SchemaType.ToString().ToLowerInvariant(),
    };

    private static string TypeName(Type type) => type == typeof(long) ? "int64"
        : type == typeof(int) ? "int32"
        : type == typeof(float) ? "float"
        : type == typeof(double) ? "double"
        : type == typeof(bool) ? "boolean"
        : type == typeof(ReadOnlyMemory<char>) ? "string"
        : type.Name.ToLowerInvariant();

    /// <summary>A flat int64 / int32 / string column: per row, its number (strings: null) or its text; both null when the row has none.</summary>
    public static (long?[] Numbers, string?[] Texts) ReadIds(ParquetRowGroupReader group, DataField field)
    {
        int rows = checked((int)group.RowCount);
        var numbers = new long?[rows];
        var texts = new string?[rows];
        if (field.ClrType == typeof(long))
        {
            var (values, present) = ReadFlat<long>(group, field);
            for (int r = 0, v = 0; r < rows; r++)
                numbers[r] = present(r) ? values[v++] : null;
        }
        else if (field.ClrType == typeof(int))
        {
            var (values, present) = ReadFlat<int>(group, field);
            for (int r = 0, v = 0; r < rows; r++)
                numbers[r] = present(r) ? values[v++] : null;
        }
        else
        {
            texts = ReadStrings(group, field);
        }
        return (numbers, texts);
    }

    /// <summary>A flat column of a value type: per row, its value or null.</summary>
    public static T?[] ReadNullable<T>(ParquetRowGroupReader group, DataField field)
        where T : struct
    {
        var rows = new T?[checked((int)group.RowCount)];
        var (values, present) = ReadFlat<T>(group, field);
        for (int r = 0, v = 0; r < rows.Length; r++)
            rows[r] = present(r) ? values[v++] : null;
        return rows;
    }

    /// <summary>A flat string column: per row, its text or null.</summary>
    public static string?[] ReadStrings(ParquetRowGroupReader group, DataField field)
    {
        int rows = checked((int)group.RowCount);
        var texts = new string?[rows];
        var (values, present) = ReadFlat<ReadOnlyMemory<char>>(group, field);
        for (int r = 0, v = 0; r < rows; r++)
            texts[r] = present(r) ? values[v++].ToString() : null;
        return texts;
    }

    /// <summary>
    /// A list column's leaf: its non-null values packed, and per row where they start and how many there are; a row with
    /// no values (a null or empty list) or with a null element gets a reason instead.
    /// </summary>
    public static ParquetLists<T> ReadLists<T>(ParquetRowGroupReader group, DataField leaf, Field column)
        where T : struct
    {
        int rows = checked((int)group.RowCount);
        var (values, definitions, repetitions) = ReadRaw<T>(group, leaf);
        // Levels (Dremel): a repetition level of 0 starts a row. A definition level below the list's own means a null
        // or empty list; between the list's and the leaf's, a null element; the leaf's maximum, a value.
        int listLevel = column is ListField list ? list.MaxDefinitionLevel : leaf.MaxDefinitionLevel;
        var result = new ParquetLists<T>(values, rows);
        int row = -1, next = 0, element = 0;
        for (int i = 0; i < definitions.Length; i++)
        {
            if (repetitions[i] == 0)
            {
                row++;
                element = 0;
                result.Start[row] = next;
            }
            int level = definitions[i];
            if (level == leaf.MaxDefinitionLevel)
            {
                next++;
                result.Count[row]++;
            }
            else if (level < listLevel)
            {
                result.Fault[row] ??= "null or empty list";
            }
            else
            {
                result.Fault[row] ??= $"element {element} is null";
                result.FaultIndex[row] = element;
            }
            element++;
        }
        if (row != rows - 1)
            throw new InvalidDataException($"column '{column.Name}' holds {row + 1} rows in a row group of {rows}");
        return result;
    }

    private static (T[] Values, Func<int, bool> Present) ReadFlat<T>(ParquetRowGroupReader group, DataField field)
        where T : struct
    {
        var (values, definitions, _) = ReadRaw<T>(group, field);
        if (field.MaxDefinitionLevel == 0)
            return (values, _ => true);
        int max = field.MaxDefinitionLevel;
        return (values, r => definitions[r] == max);
    }

    /// <summary>The column chunk as Parquet stores it: non-null values packed, one definition and repetition level per entry.</summary>
    private static (T[] Values, int[] Definitions, int[] Repetitions) ReadRaw<T>(ParquetRowGroupReader group, DataField field)
        where T : struct
    {
        long entries = group.GetMetadata(field)?.MetaData?.NumValues ?? group.RowCount;
        int n = checked((int)entries);
        var values = new T[n];
        var definitions = new int[n];
        var repetitions = new int[n];
        // Typed as Memory<int>? on purpose: a null int[] would convert to an empty (not absent) buffer, which the reader refuses.
        Memory<int>? definitionLevels = field.MaxDefinitionLevel > 0 ? definitions.AsMemory() : (Memory<int>?)null;
        Memory<int>? repetitionLevels = field.MaxRepetitionLevel > 0 ? repetitions.AsMemory() : (Memory<int>?)null;
        group.ReadRawAsync<T>(field, values, definitionLevels, repetitionLevels).GetAwaiter().GetResult();
        if (field.MaxDefinitionLevel == 0)
            Array.Fill(definitions, 0);
        return (values, definitions, repetitions);
    }

    public void Dispose() => _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
