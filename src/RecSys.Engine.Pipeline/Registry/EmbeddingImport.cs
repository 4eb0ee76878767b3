using System.Security.Cryptography;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Storage;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// Bulk-loaded item embeddings become a new registry version: the base version's files, plus one embedding set.
/// The server's BulkLoadEmbeddings and <c>recsys load</c> stream rows in (<see cref="AddRow(long, ReadOnlySpan{float})"/>,
/// <see cref="AddChunk"/>), then <see cref="Complete"/> finishes the version:
/// <code>
///   rows       checked one by one (id known, or the id map grows; not given twice; the dimension; finite values;
///              not all zero under cosine) and appended to embeddings/NAME/vectors.vec as they come (nothing held in memory)
///   index      the named index (IndexFactory string) built from the mapped rows in batches (IVF-PQ trained on a sample),
///              ids = catalog ordinals, saved by its Save
///   copy       every other file of the base version, SHA-256 checked on the way; the grown id map; manifest last
/// </code>
/// A bad row is an <see cref="EmbeddingRowException"/> naming the row and the field (the row is not taken; the import
/// goes on if the caller wants), or with <see cref="EmbeddingImportOptions.SkipBadRows"/> a counted skip. Disposing
/// before <see cref="Complete"/> leaves no version. Not thread-safe: one stream, one caller.
/// </summary>
public sealed class EmbeddingImport : IDisposable
{
    /// <summary>Skipped-row messages kept (the count goes on).</summary>
    public const int MaxMessages = 20;

    private const int Batch = 4096;
    private const int IvfTrainingRows = 65_536;

    private readonly RegistryVersion _base;
    private readonly EmbeddingImportOptions _options;
    private readonly VersionWriter _writer;
    private readonly CatalogIdMap _items;
    private readonly Dictionary<int, long> _rowOfOrdinal = [];
    private readonly List<long> _ids = [];
    private readonly List<int> _ordinals = [];
    private readonly List<string> _messages = [];
    private readonly string _directory;
    private VectorFileWriter? _vectors;
    private int _dimension;
    private bool _finished;

    private EmbeddingImport(ModelRegistry registry, RegistryVersion basis, EmbeddingImportOptions options)
    {
        _base = basis;
        _options = options;
        _items = CatalogIdMap.Load(basis.PathOf(VersionPaths.Catalog));
        _dimension = options.Dimension;
        _directory = VersionPaths.Embeddings + "/" + options.Name;
        _writer = registry.BeginVersion(options.VersionId);
    }

    /// <summary>Starts a new version on top of <paramref name="baseVersionId"/>.</summary>
    public static EmbeddingImport Begin(ModelRegistry registry, string baseVersionId, EmbeddingImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            ModelRegistry.CheckId(options.Name);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"embedding name '{options.Name}' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit", nameof(options.Name));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(options.Dimension, nameof(options.Dimension));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ProgressInterval, 1, nameof(options.ProgressInterval));
        if (!Enum.IsDefined(options.Metric))
            throw new ArgumentOutOfRangeException(nameof(options.Metric), options.Metric, "unknown metric");
        IndexSpec.Parse(options.Index); // a bad factory string fails now, naming its token, not after the stream
        return new EmbeddingImport(registry, registry.Get(baseVersionId), options);
    }

    /// <summary>Rows given so far (good and bad).</summary>
    public long RowsRead { get; private set; }

    /// <summary>Rows taken into the new version.</summary>
    public long RowsAccepted => _ids.Count;

    /// <summary>Rows skipped (only with <see cref="EmbeddingImportOptions.SkipBadRows"/>).</summary>
    public long RowsSkipped { get; private set; }

    /// <summary>The first <see cref="MaxMessages"/> skipped rows, each naming the row, the field and the reason.</summary>
    public IReadOnlyList<string> SkippedMessages => _messages;

    /// <summary>Components per row: the options' dimension, or, when that was 0, the first checked row's length (0 before it).</summary>
    public int Dimension => _dimension;

    /// <summary>Items the new version adds to the base version's id map.</summary>
    public int NewItems => _items.Count - _base.Manifest.Items;

    /// <summary>One row; false when it was skipped (bad, with SkipBadRows).</summary>
    public bool AddRow(long id, ReadOnlySpan<float> vector) => Add(id, null, vector);

    /// <summary>One row with a string id (<see cref="CatalogIdMap.KeyOf"/>: "42" is 42, other strings keep their text).</summary>
    public bool AddRow(string id, ReadOnlySpan<float> vector)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Add(CatalogIdMap.KeyOf(id), id, vector);
    }

    /// <summary>Rows ids[i] -> vectors[i * dimension ..]; returns how many were taken.</summary>
    public int AddChunk(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        if (_dimension == 0 && ids.Length > 0)
        {
            if (vectors.Length % ids.Length != 0)
                throw new ArgumentException($"{vectors.Length} values do not split into {ids.Length} rows", nameof(vectors));
            _dimension = vectors.Length / ids.Length;
        }
        if (vectors.Length != (long)ids.Length * _dimension)
            throw new ArgumentException($"{ids.Length} ids need {(long)ids.Length * _dimension} values ({_dimension} each), the chunk has {vectors.Length}", nameof(vectors));
        int taken = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            if (AddRow(ids[i], vectors.Slice(i * _dimension, _dimension)))
                taken++;
        }
        return taken;
    }

    /// <summary>
    /// A row the caller could not turn into an id and a vector (a null id in a Parquet file, say): numbered and counted
    /// like any other row, so row numbers stay those of the input; refused (<see cref="EmbeddingRowException"/>) unless
    /// <see cref="EmbeddingImportOptions.SkipBadRows"/>. Always false (the row is not taken).
    /// </summary>
    public bool RejectRow(string field, string reason)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        Skip(++RowsRead, field, reason);
        return false;
    }

    private void Skip(long row, string field, string fault)
    {
        if (!_options.SkipBadRows)
            throw new EmbeddingRowException(row, field, fault);
        RowsSkipped++;
        if (_messages.Count < MaxMessages)
            _messages.Add($"row {row}, field '{field}': {fault}");
    }

    private bool Add(long id, string? name, ReadOnlySpan<float> vector)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        long row = ++RowsRead;
        string? fault = Check(id, name, vector, out string field, out int ordinal);
        if (fault is not null)
        {
            Skip(row, field, fault);
            return false;
        }
        if (ordinal < 0)
            ordinal = name is null ? _items.GetOrAdd(id) : _items.GetOrAdd(name);
        _vectors ??= new VectorFileWriter(_writer.PathOf(_directory + "/vectors.vec"), _dimension, _options.Metric);
        _vectors.Append(vector);
        _rowOfOrdinal[ordinal] = row;
        _ids.Add(id);
        _ordinals.Add(ordinal);
        if (RowsRead % _options.ProgressInterval == 0)
            _options.Progress?.Report(new EmbeddingImportProgress("rows", RowsAccepted, 0));
        return true;
    }

    /// <summary>Why the row is bad (null: it is fine), the field at fault, and the item's ordinal when it is known (-1: new).</summary>
    private string? Check(long id, string? name, ReadOnlySpan<float> vector, out string field, out int ordinal)
    {
        field = "id";
        bool known = name is null ? _items.TryGetOrdinal(id, out ordinal) : _items.TryGetOrdinal(name, out ordinal);
        if (!known)
        {
            ordinal = -1;
            if (name is not null && _items.TryGetOrdinal(id, out int clash))
                return $"'{name}' maps to key {id}, which item ordinal {clash} has under another name";
            if (!_options.AddUnknownItems)
                return $"unknown item {name ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture)} (not in version '{_base.Id}'; AddUnknownItems is off)";
        }
        else if (_rowOfOrdinal.TryGetValue(ordinal, out long first))
        {
            return $"item {name ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture)} was given already, at row {first}";
        }
        field = "vector";
        if (_dimension == 0 && vector.Length > 0)
            _dimension = vector.Length;
        if (vector.Length != _dimension)
            return $"{vector.Length} values, the embeddings have {_dimension}";
        int bad = vector.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
        {
            field = $"vector[{bad}]";
            return $"{vector[bad]} is not a finite number";
        }
        if (_options.Metric == DistanceMetric.Cosine && !vector.ContainsAnyExcept(0f))
            return "all zeros: no direction to compare by cosine";
        return null;
    }

    /// <summary>Builds the index, copies the base version and commits the new one; returns it. Nothing is visible before.</summary>
    public RegistryVersion Complete(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_ids.Count == 0)
            throw new InvalidOperationException($"no rows were taken ({RowsRead} read, {RowsSkipped} skipped): nothing to import");
        _vectors!.Complete();
        _vectors.Dispose();
        _vectors = null;
        var entry = new EmbeddingEntry
        {
            Name = _options.Name,
            Dimension = _dimension,
            Metric = _options.Metric,
            Count = _ids.Count,
            Vectors = _directory + "/vectors.vec",
            Ids = _directory + "/ids.bin",
            Index = new IndexEntry(IndexSpec.Parse(_options.Index).ToString(), _directory + "/index"),
        };
        BuildIndex(entry, cancellationToken);
        IdFile.Write(_writer.PathOf(entry.Ids), _ids.ToArray());
        CopyBase(cancellationToken);
        _items.Save(_writer.DirectoryOf(VersionPaths.Catalog));
        var m = _base.Manifest;
        var version = _writer.Commit(m with
        {
            Id = _writer.Id,
            CreatedAt = DateTimeOffset.UtcNow,
            Parent = _base.Id,
            Description = _options.Description.Length > 0 ? _options.Description : $"{m.Description} + embeddings '{_options.Name}' ({_ids.Count} rows)".Trim(),
            Items = _items.Count,
            Embeddings = [.. m.Embeddings.Where(e => e.Name != _options.Name), entry],
        });
        _finished = true;
        return version;
    }

    private void BuildIndex(EmbeddingEntry entry, CancellationToken cancellationToken)
    {
        using var rows = MappedVectorFile.Open(_writer.PathOf(entry.Vectors));
        int n = (int)rows.Count, dim = _dimension;
        // IVF-PQ trains on an even sample (the others ignore it): its quantizers need rows, not all of them.
        int sample = Math.Min(n, IvfTrainingRows);
        var training = new float[(long)sample * dim];
        for (int s = 0; s < sample; s++)
            rows.GetRow((long)s * n / sample).CopyTo(training.AsSpan(s * dim, dim));
        var built = ServingBootstrap.NewIndex(entry.Index.Spec, _options.Build, dim, _options.Metric, training);
        try
        {
            var ids = new long[Math.Min(Batch, n)];
            var batch = new float[ids.Length * dim];
            for (int start = 0; start < n; start += Batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(Batch, n - start);
                for (int r = 0; r < count; r++)
                {
                    ids[r] = _ordinals[start + r];
                    rows.GetRow(start + r).CopyTo(batch.AsSpan(r * dim, dim));
                }
                built.Add(ids.AsSpan(0, count), batch.AsSpan(0, count * dim));
                _options.Progress?.Report(new EmbeddingImportProgress("index", start + count, n));
            }
        }
        catch
        {
            built.Dispose();
            throw;
        }
        using var index = IndexLayout.ForSearch(built);
        index.Save(_writer.DirectoryOf(entry.Index.Path));
    }

    /// <summary>The base version's files, but its id map and any set of the same name, each checked against its SHA-256 as it is copied.</summary>
    private void CopyBase(CancellationToken cancellationToken)
    {
        var files = _base.Manifest.Files.Keys.Where(f => !f.StartsWith(_directory + "/", StringComparison.Ordinal)
            && f != VersionPaths.Catalog + "/" + CatalogIdMap.IdsFileName && f != VersionPaths.Catalog + "/" + CatalogIdMap.NamesFileName).ToList();
        for (int i = 0; i < files.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string source = _base.PathOf(files[i]);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using (var file = DurableFile.Create(_writer.PathOf(files[i])))
            {
                using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
                {
                    var buffer = new byte[1 << 20];
                    int read;
                    while ((read = input.Read(buffer)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        file.Stream.Write(buffer, 0, read);
                    }
                }
                string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (actual != _base.Manifest.Files[files[i]].Sha256)
                    throw new VersionCorruptedException(_base.Id, source, $"SHA-256 {actual} does not match the manifest's {_base.Manifest.Files[files[i]].Sha256}");
                file.Commit();
            }
            _options.Progress?.Report(new EmbeddingImportProgress("copy", i + 1, files.Count));
        }
    }

    public void Dispose()
    {
        _vectors?.Dispose();
        _vectors = null;
        _finished = true;
        _writer.Dispose();
    }
}
