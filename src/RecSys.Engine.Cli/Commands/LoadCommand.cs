using System.CommandLine;
using System.Globalization;
using RecSys.Engine.Cli.Bench;
using RecSys.Engine.Cli.Load;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// <c>recsys load</c>: bulk-loads item embeddings (.npy, .fvecs, .bvecs, CSV <c>id,f1..fd</c>, Parquet <c>id</c> +
/// <c>vector</c> list&lt;float&gt; read one row group at a time: <see cref="ParquetEmbeddings"/>) into a new registry
/// version on top of a base one (EmbeddingImport: rows streamed to disk as they are read, the named index built over
/// them, the base version's files copied and checked). A bad row stops the load (exit 2, naming file, row and field;
/// nothing is written), or with --skip-bad is counted and listed in the summary.
/// <c>--items FILE --store DIR</c> loads item metadata (CSV or Parquet: id, title, categories, tags, published_at) the way the
/// Catalog service's UpsertItems does, into the serving state of the registry's active version and its feature store
/// (the server must be stopped: the store is one process's): the whole file is checked first, so a bad row (exit 2,
/// naming file, line and field) leaves the store as it was.
/// </summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var registry = new Option<string>("--registry") { Description = "The model registry directory.", Required = true };
        var file = new Option<string?>("--file") { Description = $"The embeddings: {string.Join(", ", EmbeddingExtensions)} (CSV rows: id,f1,...,fd; Parquet: columns id (int64, int32 or string) and vector (list<float> or list<double>), or id and one float/double column per component)." };
        var ids = new Option<string?>("--ids") { Description = "Item ids of a .npy / .fvecs / .bvecs file, one per line (line i = row i); CSV and Parquet rows carry their own." };
        var name = new Option<string?>("--name") { Description = "The embedding set's name (SearchVectors index name; item-page source embedding:NAME); required with --file." };
        var items = new Option<string?>("--items") { Description = "Item metadata, a CSV file with a header (or a .parquet file with columns): id, and any of title, categories ('|'-separated, or a Parquet list<string>), tags, published_at (unix seconds or ISO 8601)." };
        var store = new Option<string?>("--store") { Description = "The feature store directory of the registry's serving state; required with --items." };
        var baseVersion = new Option<string?>("--base") { Description = "The version to add the embeddings to (default: the active one)." };
        var id = new Option<string?>("--id") { Description = "The new version's id (default a fresh one)." };
        var metric = new Option<string>("--metric") { Description = "cosine | l2 | ip.", DefaultValueFactory = _ => "cosine" };
        var index = new Option<string>("--index") { Description = "The index over the rows, a factory string.", DefaultValueFactory = _ => "HNSW16,efc200" };
        var skipBad = new Option<bool>("--skip-bad") { Description = "Skip (count and list) bad rows instead of refusing the load." };
        var newItems = new Option<bool>("--new-items") { Description = "Ids the base version does not know become new items (default: a row error)." };

        var command = new Command("load", "Bulk-load item embeddings into a new model registry version (streaming, with progress; bad rows name file, row and field).");
        foreach (var o in new Option[] { registry, file, ids, name, baseVersion, id, metric, index, skipBad, newItems, items, store })
            command.Add(o);
        command.SetAction(parse =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            TextWriter stderr = parse.InvocationConfiguration.Error;
            string? path = parse.GetValue(file);
            string? itemsPath = parse.GetValue(items);
            if (path is null && itemsPath is null)
                throw new CliInputException("give --file (embeddings) or --items (item metadata), or both");
            if (itemsPath is not null)
                ItemMetadataLoad.Run(parse.GetValue(registry)!, itemsPath, parse.GetValue(store), stdout, stderr);
            if (path is null)
                return CliRunner.ExitOk;
            string setName = parse.GetValue(name) ?? throw new CliInputException("--name: the embedding set needs a name (with --file)");
            if (!File.Exists(path))
                throw new CliInputException($"--file: '{path}' does not exist");
            string extension = Path.GetExtension(path).ToLowerInvariant();
            if (!EmbeddingExtensions.Contains(extension))
                throw new CliInputException($"--file: '{path}': extension '{extension}' is not an embedding format ({string.Join(", ", EmbeddingExtensions)})");
            bool parquet = extension == ParquetExtension;
            string? idsPath = parse.GetValue(ids);
            if (parquet && idsPath is not null)
                throw new CliInputException($"--ids: Parquet rows carry their own ids (column '{ParquetEmbeddings.IdColumn}'); drop --ids");
            if (extension != ".csv" && !parquet && idsPath is null)
                throw new CliInputException($"--ids: {extension} rows carry no item id; give a file of ids, one per line");
            if (idsPath is not null && !File.Exists(idsPath))
                throw new CliInputException($"--ids: '{idsPath}' does not exist");
            var spec = OptionRules.Check("--index", () => IndexSpec.Parse(parse.GetValue(index)!).ToString());
            var target = ModelRegistry.Open(parse.GetValue(registry)!);
            string basis = parse.GetValue(baseVersion) ?? target.ActiveId
                ?? throw new CliInputException($"--base: registry {target.Directory} has no active version; name the version to add to");
            if (!target.TryGet(basis, out _))
                throw new CliInputException($"--base: registry {target.Directory} has no version '{basis}'");

            // Parquet's id column may hold strings and its rows may be null: it feeds the import itself rather than
            // being a Core IVectorReader (Core does not depend on Parquet.Net).
            using var table = parquet ? ParquetEmbeddings.Open(path) : null;
            using var reader = parquet ? null : VectorReaders.Open(path);
            using var idList = idsPath is null ? null : new EmbeddingIdList(idsPath);
            var options = new EmbeddingImportOptions
            {
                Name = setName,
                Dimension = reader?.Dimension ?? 0, // 0: the first Parquet row sets it
                Metric = MetricNames.Parse(parse.GetValue(metric), "--metric"),
                Index = spec,
                SkipBadRows = parse.GetValue(skipBad),
                AddUnknownItems = parse.GetValue(newItems),
                VersionId = parse.GetValue(id),
                Description = $"embeddings '{setName}' from {Path.GetFileName(path)}",
                Progress = new LoadProgress(stderr, reader is null ? table!.Count : reader.Count),
                ProgressInterval = 10_000,
            };
            using var import = OptionRules.Check("--name", () => EmbeddingImport.Begin(target, basis, options));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                table?.ReadInto(import);
                var row = new float[reader?.Dimension ?? 0];
                while (reader is not null && reader.TryReadNext(row, out long rowId))
                {
                    if (idList is null)
                        import.AddRow(rowId, row);
                    else
                        import.AddRow(idList.Next(), row);
                }
            }
            catch (EmbeddingRowException e)
            {
                throw new CliInputException($"{path}: row {e.Row}, field '{e.Field}': {e.Reason}");
            }
            if (idList is not null && !idList.AtEnd())
                throw new CliInputException($"--ids: '{idList.Path}' has more ids than '{path}' has rows ({import.RowsRead})");
            if (import.RowsAccepted == 0)
                throw new CliInputException($"{path}: no row was taken ({import.RowsRead} read, {import.RowsSkipped} skipped)");
            var version = import.Complete();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"loaded {path}: {import.RowsRead} rows read, {import.RowsAccepted} taken, {import.RowsSkipped} skipped, {import.NewItems} new items; {import.Dimension} dimensions, index {spec}; {clock.Elapsed.TotalSeconds:F1} s"));
            foreach (string message in import.SkippedMessages)
                stdout.WriteLine($"  skipped {path}: {message}");
            if (import.RowsSkipped > import.SkippedMessages.Count)
                stdout.WriteLine($"  ... and {import.RowsSkipped - import.SkippedMessages.Count} more");
            stdout.WriteLine($"wrote version '{version.Id}' (parent '{basis}') in {target.Directory}; activate it with the Admin ActivateModel call");
            return CliRunner.ExitOk;
        });
        return command;
    }

    private const string ParquetExtension = ".parquet";

    /// <summary>What --file takes: the Core vector readers' formats but .ivecs (integer rows are ground truth, not embeddings), and Parquet.</summary>
    private static readonly string[] EmbeddingExtensions = [.. VectorReaders.SupportedExtensions.Where(e => e != ".ivecs"), ParquetExtension];
}
