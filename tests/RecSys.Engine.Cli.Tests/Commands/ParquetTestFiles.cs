using Parquet;
using Parquet.Schema;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>
/// Writes the small Parquet files the load tests read, with Parquet.Net itself: one row group per slice of
/// <c>groupSizes</c>, nulls written as Parquet nulls (definition levels), not as sentinel values.
/// </summary>
internal static class ParquetTestFiles
{
    /// <summary>
    /// Columns <c>id</c> (int64, or string when <paramref name="stringIds"/>) and <c>vector</c> (list&lt;float&gt;, or
    /// list&lt;double&gt; when <paramref name="doubles"/>); a null id or vector row is a Parquet null, a NaN element stays NaN.
    /// </summary>
    public static async Task WriteEmbeddingsAsync(string path, IReadOnlyList<long?> ids, IReadOnlyList<double[]?> vectors, int[] groupSizes,
        bool stringIds = false, bool doubles = false, string idName = "id", string vectorName = "vector")
    {
        var id = stringIds ? new DataField<string>(idName, nullable: true) : (DataField)new DataField<long?>(idName);
        var leaf = doubles ? (DataField)new DataField<double?>("element") : new DataField<float?>("element");
        var vector = new ListField(vectorName, leaf);
        var schema = new ParquetSchema(id, vector);
        using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        int start = 0;
        foreach (int size in groupSizes)
        {
            using (var group = writer.CreateRowGroup())
            {
                var slice = Enumerable.Range(start, size);
                if (stringIds)
                    await group.WriteAsync(id, slice.Select(r => ids[r]?.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
                else
                    await group.WriteAsync<long>(id, slice.Select(r => ids[r]).ToArray());
                // Dremel levels of an optional list of optional elements: 0 null list, 1 empty list, 2 null element, 3 value.
                var definitions = new List<int>();
                var repetitions = new List<int>();
                var values = new List<double>();
                foreach (int r in slice)
                {
                    if (vectors[r] is not { } v)
                    {
                        definitions.Add(0);
                        repetitions.Add(0);
                        continue;
                    }
                    if (v.Length == 0)
                    {
                        definitions.Add(1);
                        repetitions.Add(0);
                        continue;
                    }
                    for (int i = 0; i < v.Length; i++)
                    {
                        definitions.Add(3);
                        repetitions.Add(i == 0 ? 0 : 1);
                        values.Add(v[i]);
                    }
                }
                if (doubles)
                    await group.WriteAllPartsAsync<double>(leaf, values.ToArray(), definitions.ToArray(), repetitions.ToArray(), CancellationToken.None);
                else
                    await group.WriteAllPartsAsync<float>(leaf, values.Select(x => (float)x).ToArray(), definitions.ToArray(), repetitions.ToArray(), CancellationToken.None);
            }
            start += size;
        }
        if (start != ids.Count)
            throw new ArgumentException($"row groups cover {start} rows of {ids.Count}", nameof(groupSizes));
    }

    /// <summary>One row group of columns written as given: a wrong-type or missing column file.</summary>
    public static async Task WriteColumnsAsync(string path, params (DataField Field, Array Values)[] columns)
    {
        var schema = new ParquetSchema(columns.Select(c => (Field)c.Field).ToArray());
        using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        using var group = writer.CreateRowGroup();
        foreach (var (field, values) in columns)
        {
            switch (values)
            {
                case string?[] texts:
                    await group.WriteAsync(field, texts);
                    break;
                case long?[] numbers:
                    await group.WriteAsync<long>(field, numbers);
                    break;
                case long[] numbers:
                    await group.WriteAsync<long>(field, numbers);
                    break;
                case float[] floats:
                    await group.WriteAsync<float>(field, floats);
                    break;
                default:
                    throw new ArgumentException($"no writer for {values.GetType()}");
            }
        }
    }
}
