using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Cli.Load;

/// <summary>
/// <c>recsys load --items FILE --store DIR</c>: item metadata into the serving state, as UpsertItems would put it
/// (store, live catalog, content vector from the saved vocabulary) in batches of one group commit each, then saved.
/// Every row is checked before the first is applied, so a bad row changes nothing: a first pass parses the file and
/// finds two rows whose ids share a key, a second checks each row against the serving state, a third applies.
/// </summary>
internal static class ItemMetadataLoad
{
    /// <summary>Rows per group commit: large enough that the fsyncs stop mattering, small enough to report progress often.</summary>
    private const int BatchSize = 1024;

    public static void Run(string registry, string path, string? storeDirectory, TextWriter stdout, TextWriter log)
    {
        if (!File.Exists(path))
            throw new CliInputException($"--items: '{path}' does not exist");
        if (storeDirectory is null)
            throw new CliInputException("--store: item metadata goes into the serving state's feature store; name its directory");
        if (!Directory.Exists(storeDirectory))
            throw new CliInputException($"--store: '{storeDirectory}' does not exist (seed one with `recsys train --store` or `recsys demo --data-dir`)");

        // First pass, before the serving state is opened: every row parses, and no two rows give one key two ids.
        long rows = 0;
        var ids = new Dictionary<long, (string? Name, long Line)>();
        using (var check = Open(path))
        {
            while (check.TryReadNext(out long line, out string id, out _))
            {
                rows++;
                long key = Models.Data.CatalogIdMap.KeyOf(id);
                string? name = Models.Data.CatalogIdMap.NameKept(id);
                if (ids.TryGetValue(key, out var first) && first.Name != name)
                    throw new CliInputException($"{path}: {check.Unit} {line}: id '{id}' has the key {key} of id '{first.Name ?? key.ToString(System.Globalization.CultureInfo.InvariantCulture)}' "
                        + $"({check.Unit} {first.Line}); rename one");
                ids.TryAdd(key, (name, line));
            }
        }
        if (rows == 0)
            throw new CliInputException($"--items: '{path}' has a header but no rows");
        ids.Clear();

        // Items go into the catalog and the store; no request is ranked here, so a version's learned ranker is not loaded.
        var openOptions = new ServingStateOptions { Load = new Pipeline.Registry.VersionLoadOptions { IgnoreRanker = true } };
        var state = ServingState.OpenAsync(registry, storeDirectory, openOptions).GetAwaiter().GetResult();
        long added = 0;
        try
        {
            // Second pass: every row as the upsert will check it (against the catalog's ids and the content space), so a
            // bad row is refused before the first is applied.
            using (var check = Open(path))
            {
                while (check.TryReadNext(out long line, out string id, out ItemAttributes item))
                {
                    try
                    {
                        state.Pipeline.CheckItem(ItemUpsert.Of(id, item));
                    }
                    catch (ArgumentException e)
                    {
                        throw new CliInputException($"{path}: {check.Unit} {line}: {Core.Validation.ArgumentReason.Of(e)}");
                    }
                }
            }
            var progress = new Commands.StderrProgress(log, "loading item metadata");
            using var reader = Open(path);
            long done = 0;
            var batch = new List<ItemUpsert>(BatchSize);
            while (reader.TryReadNext(out _, out string id, out ItemAttributes item))
            {
                batch.Add(ItemUpsert.Of(id, item));
                if (batch.Count == BatchSize)
                {
                    added += Apply(state, batch);
                    done += batch.Count;
                    batch.Clear();
                    progress.Report(done / (double)rows);
                }
            }
            added += Apply(state, batch);
            progress.Report(1);
            state.SaveAsync().GetAwaiter().GetResult();
        }
        finally
        {
            state.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        stdout.WriteLine($"loaded {path}: {rows} items ({added} new, {rows - added} updated) into the serving state of version '{ModelRegistryActive(registry)}' (store {storeDirectory})");
    }

    /// <summary>
    /// One batch of checked rows through the pipeline's group commit (one store commit and one journal fsync for all of
    /// them); returns how many were new.
    /// </summary>
    private static long Apply(ServingState state, List<ItemUpsert> batch)
    {
        long added = 0;
        var seen = new HashSet<long>();
        foreach (var u in batch)
        {
            if (seen.Add(u.Key) && !state.Catalog.Items.TryGetOrdinal(u.Key, out _))
                added++;
        }
        // Every row passed both check passes, so the batch is not refused for its input.
        state.Pipeline.UpsertItemsAsync(batch).AsTask().GetAwaiter().GetResult();
        return added;
    }

    /// <summary>The file's reader, chosen by extension: .parquet is Parquet, anything else CSV (as before Parquet came).</summary>
    private static IItemMetadataSource Open(string path) =>
        Path.GetExtension(path).Equals(".parquet", StringComparison.OrdinalIgnoreCase) ? ParquetItemMetadata.Open(path) : new ItemMetadataCsv(path);

    private static string ModelRegistryActive(string registry) => Pipeline.Registry.ModelRegistry.Open(registry).ActiveId ?? "?";
}
