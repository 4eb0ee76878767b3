using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.TwoTower;

namespace RecSys.Engine.Ranking.Onnx;

/// <summary>
/// A two-tower model's tower on ONNX Runtime (<see cref="TwoTowerOnnxExporter"/>'s files, or any graph with the same
/// contract and a tower schema): what serving runs per request for the user tower, beside the C# forward pass it equals
/// within 1e-5.
/// <code>
///  Load:   bytes -> session (CUDA | CPU, as the ranker) -> inputs / output checked against the tower schema -> lanes -> warm-up
///  Encode: checks (finite features, ids in range) -> lane (free one, else wait) -> copy in -> RunWithBinding -> copy vectors out
/// </code>
/// Thread-safe: <see cref="OnnxRankerOptions.ConcurrentCalls"/> lanes of pre-allocated buffers; once a lane has seen a
/// row count, encoding that many rows allocates nothing. <see cref="OnnxRankerOptions.MaxCandidates"/> is the most rows per call.
/// </summary>
public sealed class OnnxTowerEncoder : ITowerEncoder, IDisposable
{
    private readonly OnnxServingSession<OnnxTowerLane> _host;

    private OnnxTowerEncoder(OnnxServingSession<OnnxTowerLane> host, TowerSchema schema, OnnxRankerOptions options)
    {
        _host = host;
        Schema = schema;
        MaxRows = options.MaxCandidates;
    }

    public TowerSchema Schema { get; }

    public TowerKind Kind => Schema.Kind;

    public int FeatureCount => Schema.Features.Count;

    public int IdSlots => Schema.IdSlots;

    public long PaddingId => Schema.PaddingId;

    public int Dimension => Schema.Dimension;

    /// <summary>"CUDA" or "CPU".</summary>
    public string ExecutionProvider => _host.Provider;

    /// <summary>Why <see cref="OnnxExecutionProvider.Auto"/> fell back to CPU (null when it did not).</summary>
    public string? FallbackReason => _host.FallbackReason;

    public int MaxRows { get; }

    /// <summary>
    /// Loads a tower from <paramref name="path"/>. Its schema comes from the metadata; with <paramref name="expected"/>
    /// (say, <see cref="TowerSchema.Of"/> the model the caller serves) the two must match.
    /// </summary>
    /// <exception cref="FileNotFoundException">no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">not a model ONNX Runtime can load, or its inputs, output or schema do not fit.</exception>
    public static OnnxTowerEncoder Load(string path, OnnxRankerOptions? options = null, TowerSchema? expected = null) =>
        Load(OnnxServingSession<OnnxTowerLane>.ReadModel(path), path, options, expected);

    /// <summary>As <see cref="Load(string, OnnxRankerOptions?, TowerSchema?)"/> from bytes; <paramref name="origin"/> names them in errors.</summary>
    public static OnnxTowerEncoder Load(byte[] model, string origin, OnnxRankerOptions? options = null, TowerSchema? expected = null)
    {
        options ??= new OnnxRankerOptions();
        options.Validate();
        var (host, schema) = OnnxServingSession<OnnxTowerLane>.Open(model, origin, options, session => CheckContract(session, origin, expected),
            (session, s) => new OnnxTowerLane(session, s, options.MaxCandidates));
        var encoder = new OnnxTowerEncoder(host, schema, options);
        try
        {
            encoder.WarmUp();
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
        options.Log?.Invoke($"onnx {schema.Tower} tower {origin}: {schema.Features.Count} features, {schema.IdSlots} id slot(s), dimension {schema.Dimension}, provider {host.Provider}");
        return encoder;
    }

    /// <exception cref="ArgumentException">a size does not fit, a feature is not finite or an id is out of range (named, with the row).</exception>
    public void Encode(ReadOnlySpan<float> features, ReadOnlySpan<long> ids, int n, Span<float> vectors)
    {
        ObjectDisposedException.ThrowIf(_host.IsDisposed, this);
        int f = FeatureCount, slots = IdSlots, d = Dimension;
        if ((uint)n > (uint)MaxRows)
            throw new ArgumentOutOfRangeException(nameof(n), $"{n} rows; this tower was loaded for 0..{MaxRows} (OnnxRankerOptions.MaxCandidates)");
        if (features.Length < n * f)
            throw new ArgumentException($"{n} rows x {f} features need {n * f} floats, got {features.Length}", nameof(features));
        if (ids.Length < n * slots)
            throw new ArgumentException($"{n} rows x {slots} id slots need {n * slots} ids, got {ids.Length}", nameof(ids));
        if (vectors.Length < n * d)
            throw new ArgumentException($"{n} rows x {d} dimensions need {n * d} floats, got {vectors.Length}", nameof(vectors));
        if (n == 0)
            return;
        features = features[..(n * f)];
        ids = ids[..(n * slots)];
        if (!TensorPrimitives.IsFiniteAll(features)
            && OnnxServingSession<OnnxTowerLane>.NotFinite(features, f, k => Schema.Features[k], "row", nameof(features)) is { } bad)
            throw bad;
        // Gather fails on an id past the table with a message that names no row: check here (a span scan, cheap).
        if (ids.ContainsAnyExceptInRange(0, PaddingId))
            ThrowBadId(ids);
        OnnxTowerLane lane = _host.Acquire();
        try
        {
            features.CopyTo(lane.Features);
            ids.CopyTo(lane.Ids);
            _host.Run(lane, n);
            lane.Output.AsSpan(0, n * d).CopyTo(vectors);
        }
        finally
        {
            OnnxServingSession<OnnxTowerLane>.Release(lane);
        }
    }

    public void Dispose() => _host.Dispose();

    /// <summary>One run at the largest size and one at a single row on every lane (zero features, padding ids).</summary>
    private void WarmUp()
    {
        foreach (var lane in _host.Lanes)
        {
            lane.Features.AsSpan().Clear();
            lane.Ids.AsSpan().Fill(PaddingId);
            _host.Run(lane, MaxRows);
            _host.Run(lane, 1);
        }
    }

    private void ThrowBadId(ReadOnlySpan<long> ids)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if ((ulong)ids[i] > (ulong)PaddingId)
                throw new ArgumentException($"id slot {i % IdSlots} of row {i / IdSlots} is {ids[i]}: ids are item ordinals below {PaddingId} or the padding id {PaddingId}", nameof(ids));
        }
    }

    /// <summary>The tower contract: the schema's two inputs (float features, int64 ids) and one float output, each [rows x width].</summary>
    private static TowerSchema CheckContract(InferenceSession session, string origin, TowerSchema? expected)
    {
        TowerSchema? embedded = null;
        if (session.ModelMetadata.CustomMetadataMap.TryGetValue(OnnxMetadataKeys.TowerSchema, out string? json))
            embedded = TowerSchema.FromJson(json, $"{origin} metadata '{OnnxMetadataKeys.TowerSchema}'");
        if (embedded is not null && expected is not null && expected.FirstDifference(embedded) is { } difference)
            throw new InvalidDataException($"{origin}: the model's tower schema does not match the expected one: {difference}");
        TowerSchema schema = embedded ?? expected
            ?? throw new InvalidDataException($"{origin}: the model has no '{OnnxMetadataKeys.TowerSchema}' metadata and no schema was given to check it against");

        if (session.InputMetadata.Count != 2)
            throw new InvalidDataException($"{origin}: a tower reads two inputs ({schema.FeaturesInput}, {schema.IdsInput}), this model has {session.InputMetadata.Count} ({string.Join(", ", session.InputMetadata.Keys)})");
        CheckTensor(session.InputMetadata, schema.FeaturesInput, TensorElementType.Float, schema.Features.Count, origin, "input");
        CheckTensor(session.InputMetadata, schema.IdsInput, TensorElementType.Int64, schema.IdSlots, origin, "input");
        if (session.OutputMetadata.Count != 1)
            throw new InvalidDataException($"{origin}: a tower writes one output ({schema.Output}), this model has {session.OutputMetadata.Count} ({string.Join(", ", session.OutputMetadata.Keys)})");
        CheckTensor(session.OutputMetadata, schema.Output, TensorElementType.Float, schema.Dimension, origin, "output");
        return schema;
    }

    private static void CheckTensor(IReadOnlyDictionary<string, NodeMetadata> values, string name, TensorElementType type, int width, string origin, string role)
    {
        if (!values.TryGetValue(name, out NodeMetadata? meta))
            throw new InvalidDataException($"{origin}: the tower schema names {role} '{name}', the model has none (it has {string.Join(", ", values.Keys)})");
        if (!meta.IsTensor || meta.ElementDataType != type || meta.Dimensions.Length != 2 || (meta.Dimensions[1] >= 0 && meta.Dimensions[1] != width))
        {
            string shape = meta.IsTensor ? $"{meta.ElementDataType} [{string.Join(" x ", meta.Dimensions)}]" : meta.OnnxValueType.ToString();
            throw new InvalidDataException($"{origin}: {role} '{name}' must be {type} [rows x {width}], it is {shape}");
        }
    }
}
