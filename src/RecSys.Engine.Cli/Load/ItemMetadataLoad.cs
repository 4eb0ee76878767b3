using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Cli.Load;

/// <summary>
/// <c>recsys load --items FILE --store DIR</c>: item metadata into the serving state, as UpsertItems would put it
/// (store, live catalog, content vector from the saved vocabulary), then saved. Two passes over the file: every row
/// is checked before the first is applied, so a bad row changes nothing.
/// </summary>
internal static class ItemMetadataLoad
{
    private const int ProgressEvery = 10_000;

    public static void Run(string registry, string path, string? storeDirectory, TextWriter stdout, TextWriter log)
    {
        if (!File.Exists(path))
            throw new CliInputException($"--items: '{path}' does not exist");
        if (storeDirectory is null)
            throw new CliInputException("--store: item metadata goes into the serving state's feature store; name its directory");
        if (!Directory.Exists(storeDirectory))
            throw new CliInputException($"--store: '{storeDirectory}' does not exist (seed one with `recsys train --store` or `recsys demo --data-dir`)");

        long rows = 0;
        using (var check = Open(path))
        {
            while (check.TryReadNext(out _, out _, out _))
                rows++;
        }
        if (rows == 0)
            throw new CliInputException($"--items: '{path}' has a header but no rows");

        // Items go into the catalog and the store; no request is ranked here, so a version's learned ranker is not loaded.
        var openOptions = new ServingStateOptions { Load = new Pipeline.Registry.VersionLoadOptions { IgnoreRanker = true } };
        var state = ServingState.OpenAsync(registry, storeDirectory, openOptions).GetAwaiter().GetResult();
        long added = 0;
        try
        {
            var progress = new Commands.StderrProgress(log, "loading item metadata");
            using var reader = Open(path);
            long done = 0;
            while (reader.TryReadNext(out long line, out string id, out ItemAttributes item))
            {
                bool known = state.Catalog.Items.TryGetOrdinal(Models.Data.CatalogIdMap.KeyOf(id), out _);
                try
                {
                    state.Pipeline.UpsertItemAsync(id, item).AsTask().GetAwaiter().GetResult();
                }
                catch (ArgumentException e)
                {
                    throw new CliInputException($"{path}: {reader.Unit} {line}: {Core.Validation.ArgumentReason.Of(e)}");
                }
                if (!known)
                    added++;
                if (++done % ProgressEvery == 0)
                    progress.Report(done / (double)rows);
            }
            progress.Report(1);
            state.SaveAsync().GetAwaiter().GetResult();
        }
        finally
        {
            state.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        stdout.WriteLine($"loaded {path}: {rows} items ({added} new, {rows - added} updated) into the serving state of version '{ModelRegistryActive(registry)}' (store {storeDirectory})");
    }

    /// <summary>The file's reader, chosen by extension: .parquet is Parquet, anything else CSV (as before Parquet came).</summary>
    private static IItemMetadataSource Open(string path) =>
        Path.GetExtension(path).Equals(".parquet", StringComparison.OrdinalIgnoreCase) ? ParquetItemMetadata.Open(path) : new ItemMetadataCsv(path);

    private static string ModelRegistryActive(string registry) => Pipeline.Registry.ModelRegistry.Open(registry).ActiveId ?? "?";
}
