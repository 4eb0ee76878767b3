using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Ranking.Onnx;

/// <summary>
/// Scores ranking candidates with an ONNX model on ONNX Runtime: one [candidates x features] float input, one score per
/// candidate out. Any model with that contract serves (our MLP and GBDT exports, a PyTorch or LightGBM export with the
/// schema given at load).
/// <code>
///  Load:  bytes -> session (CUDA | CPU) -> input / output checked against the feature schema -> lanes -> warm-up
///  Score: lane (free one, else wait) -> NaN check -> copy into the pinned input -> RunWithBinding -> copy scores out
/// </code>
/// Thread-safe: <see cref="OnnxRankerOptions.ConcurrentCalls"/> lanes of pre-allocated buffers and bindings; once a
/// lane has seen a candidate count, scoring that count allocates nothing.
/// </summary>
public sealed class OnnxRanker : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _sessionOptions;
    private readonly OnnxRankerLane[] _lanes;
    private bool _disposed;

    private OnnxRanker(InferenceSession session, SessionOptions sessionOptions, RankingFeatureSchema schema, string input, string output,
        bool outputIsColumn, string provider, string? fallbackReason, OnnxRankerOptions options)
    {
        _session = session;
        var metadata = session.ModelMetadata.CustomMetadataMap;
        ModelKind = metadata.TryGetValue(OnnxMetadataKeys.ModelKind, out string? kind) ? kind : "onnx";
        AcceptsMissing = metadata.TryGetValue(OnnxMetadataKeys.MissingValues, out string? missing) && missing == OnnxMetadataKeys.MissingAsNaN;
        _sessionOptions = sessionOptions;
        Schema = schema;
        InputName = input;
        OutputName = output;
        ExecutionProvider = provider;
        FallbackReason = fallbackReason;
        MaxCandidates = options.MaxCandidates;
        _lanes = new OnnxRankerLane[options.ConcurrentCalls];
        for (int i = 0; i < _lanes.Length; i++)
            _lanes[i] = new OnnxRankerLane(session, input, output, schema.Count, outputIsColumn, options.MaxCandidates);
    }

    public RankingFeatureSchema Schema { get; }

    public string InputName { get; }

    public string OutputName { get; }

    /// <summary>"CUDA" or "CPU": where the session runs.</summary>
    public string ExecutionProvider { get; }

    /// <summary>Why <see cref="OnnxExecutionProvider.Auto"/> fell back to CPU (null when it did not).</summary>
    public string? FallbackReason { get; }

    public int MaxCandidates { get; }

    /// <summary>What trained the model (its "recsys.model_kind" metadata: "mlp", "gbdt"), or "onnx" for a model without it.</summary>
    public string ModelKind { get; }

    /// <summary>
    /// Whether the model reads NaN as a missing value (its "recsys.missing_values" metadata says "nan": a GBDT's
    /// default directions); other models get every feature checked finite.
    /// </summary>
    public bool AcceptsMissing { get; }

    /// <summary>
    /// Loads <paramref name="path"/>. The feature schema comes from the model's metadata (<see cref="OnnxMetadataKeys.FeatureSchema"/>);
    /// with <paramref name="expected"/> (the layout the caller's assembler writes) the two must match, feature by
    /// feature, and a model without the metadata is checked against <paramref name="expected"/> alone.
    /// </summary>
    /// <exception cref="FileNotFoundException">no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">not an ONNX model ONNX Runtime can load, or its inputs, outputs or schema do not fit.</exception>
    /// <exception cref="InvalidOperationException">CUDA was required and cannot load.</exception>
    public static OnnxRanker Load(string path, OnnxRankerOptions? options = null, RankingFeatureSchema? expected = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such ONNX model file", path);
        return Load(File.ReadAllBytes(path), path, options, expected);
    }

    /// <summary>As <see cref="Load(string, OnnxRankerOptions?, RankingFeatureSchema?)"/> from bytes; <paramref name="origin"/> names them in errors.</summary>
    public static OnnxRanker Load(byte[] model, string origin, OnnxRankerOptions? options = null, RankingFeatureSchema? expected = null)
    {
        options ??= new OnnxRankerOptions();
        options.Validate();
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // ONNX Runtime's own log would repeat a failed CUDA load as an error line; ChooseProvider says it once.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        InferenceSession? session = null;
        try
        {
            var (provider, fallback) = ChooseProvider(sessionOptions, options);
            try
            {
                session = new InferenceSession(model, sessionOptions);
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidDataException($"{origin}: not an ONNX model ONNX Runtime can load: {e.Message}", e);
            }
            var (schema, input, output, outputIsColumn) = CheckContract(session, origin, expected);
            var ranker = new OnnxRanker(session, sessionOptions, schema, input, output, outputIsColumn, provider, fallback, options);
            try
            {
                ranker.WarmUp();
            }
            catch
            {
                ranker.Dispose();
                throw;
            }
            options.Log?.Invoke($"onnx ranker {origin}: {schema.Count} features, provider {provider}, {options.IntraOpThreads} intra-op thread(s), up to {options.MaxCandidates} candidates");
            return ranker;
        }
        catch
        {
            session?.Dispose();
            sessionOptions.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Scores <paramref name="candidates"/> rows of <paramref name="features"/> ([candidates x schema features], row-major,
    /// the assembler's layout) into <paramref name="scores"/>.
    /// </summary>
    /// <exception cref="ArgumentException">a size does not fit, or a feature is infinite, or NaN for a model that does not
    /// accept missing values (named, with the candidate).</exception>
    public void Score(ReadOnlySpan<float> features, int candidates, Span<float> scores)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int f = Schema.Count;
        if ((uint)candidates > (uint)MaxCandidates)
            throw new ArgumentOutOfRangeException(nameof(candidates), $"{candidates} candidates; this ranker was loaded for 0..{MaxCandidates} (OnnxRankerOptions.MaxCandidates)");
        if (features.Length < candidates * f)
            throw new ArgumentException($"{candidates} candidates x {f} features need {candidates * f} floats, got {features.Length}", nameof(features));
        if (scores.Length < candidates)
            throw new ArgumentException($"scores holds {scores.Length}, {candidates} candidates need as many", nameof(scores));
        if (candidates == 0)
            return;
        ReadOnlySpan<float> rows = features[..(candidates * f)];
        if (!TensorPrimitives.IsFiniteAll(rows))
            CheckNotFinite(rows);
        OnnxRankerLane lane = AcquireLane();
        try
        {
            rows.CopyTo(lane.Input);
            _session.RunWithBinding(lane.RunOptions, lane.Binding(candidates));
            lane.Output.AsSpan(0, candidates).CopyTo(scores);
        }
        finally
        {
            Monitor.Exit(lane);
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var lane in _lanes)
            lane?.Dispose();
        _session.Dispose();
        _sessionOptions.Dispose();
    }

    private OnnxRankerLane AcquireLane()
    {
        foreach (var lane in _lanes)
        {
            if (Monitor.TryEnter(lane))
                return lane;
        }
        OnnxRankerLane wait = _lanes[(uint)Environment.CurrentManagedThreadId % (uint)_lanes.Length];
        Monitor.Enter(wait);
        return wait;
    }

    /// <summary>One run at the largest size and one at a single candidate on every lane: the first request pays nothing extra.</summary>
    private void WarmUp()
    {
        var zeros = new float[MaxCandidates * Schema.Count];
        foreach (var lane in _lanes)
        {
            foreach (int n in new[] { MaxCandidates, 1 })
            {
                zeros.AsSpan(0, n * Schema.Count).CopyTo(lane.Input);
                _session.RunWithBinding(lane.RunOptions, lane.Binding(n));
            }
        }
    }

    private void CheckNotFinite(ReadOnlySpan<float> rows)
    {
        int f = Schema.Count;
        for (int i = 0; i < rows.Length; i++)
        {
            if (!float.IsFinite(rows[i]) && !(AcceptsMissing && float.IsNaN(rows[i])))
            {
                string allowed = AcceptsMissing ? "a finite number or NaN (missing)" : "a finite number";
                throw new ArgumentException($"feature '{Schema.Features[i % f].Name}' of candidate {i / f} is {rows[i]}: every feature must be {allowed}", "features");
            }
        }
    }

    private static (string Provider, string? Fallback) ChooseProvider(SessionOptions sessionOptions, OnnxRankerOptions options)
    {
        if (options.ExecutionProvider == OnnxExecutionProvider.Cpu)
            return ("CPU", null);
        try
        {
            // GetAvailableProviders() lists CUDA whenever the package ships it, loadable or not: only appending tells.
            sessionOptions.AppendExecutionProvider_CUDA(options.CudaDeviceId);
            return ("CUDA", null);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            string reason = FirstLine(e.Message);
            if (options.ExecutionProvider == OnnxExecutionProvider.Cuda)
                throw new InvalidOperationException($"execution provider 'cuda' was requested but CUDA cannot load on this machine: {reason}", e);
            options.Log?.Invoke($"onnx ranker: execution provider auto -> CPU, CUDA unavailable: {reason}");
            return ("CPU", reason);
        }
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    /// <summary>Checks the model's one input ([candidates x features] float) and output (one float per candidate) against the schema.</summary>
    private static (RankingFeatureSchema Schema, string Input, string Output, bool OutputIsColumn) CheckContract(InferenceSession session, string origin,
        RankingFeatureSchema? expected)
    {
        RankingFeatureSchema? embedded = null;
        if (session.ModelMetadata.CustomMetadataMap.TryGetValue(OnnxMetadataKeys.FeatureSchema, out string? json))
            embedded = RankingFeatureSchema.FromJson(json, $"{origin} metadata '{OnnxMetadataKeys.FeatureSchema}'");
        if (embedded is not null && expected is not null && expected.FirstDifference(embedded, "the expected schema", "the model") is { } difference)
            throw new InvalidDataException($"{origin}: the model's feature schema does not match: {difference}");
        RankingFeatureSchema schema = expected ?? embedded
            ?? throw new InvalidDataException($"{origin}: the model has no '{OnnxMetadataKeys.FeatureSchema}' metadata and no schema was given to check it against");

        if (session.InputMetadata.Count != 1)
            throw new InvalidDataException($"{origin}: the ranker contract is one input, this model has {session.InputMetadata.Count} ({string.Join(", ", session.InputMetadata.Keys)})");
        var (input, inMeta) = session.InputMetadata.First();
        if (!inMeta.IsTensor || inMeta.ElementDataType != TensorElementType.Float || inMeta.Dimensions.Length != 2)
            throw new InvalidDataException($"{origin}: input '{input}' must be a 2-D float tensor [candidates x features], it is {Describe(inMeta)}");
        int width = inMeta.Dimensions[1];
        if (width < 0 && embedded is null)
            throw new InvalidDataException($"{origin}: input '{input}' has a free feature dimension and the model carries no schema: its width cannot be checked");
        if (width >= 0 && width != schema.Count)
        {
            string named = width < schema.Count
                ? $"feature {width} '{schema.Features[width].Name}' (and every one after it) has no column in the model"
                : $"the model reads {width - schema.Count} column(s) past the schema's last feature '{schema.Features[^1].Name}'";
            throw new InvalidDataException($"{origin}: input '{input}' is {width} features wide, the schema has {schema.Count}: {named}");
        }

        if (session.OutputMetadata.Count != 1)
            throw new InvalidDataException($"{origin}: the ranker contract is one output, this model has {session.OutputMetadata.Count} ({string.Join(", ", session.OutputMetadata.Keys)})");
        var (output, outMeta) = session.OutputMetadata.First();
        bool column = outMeta.Dimensions.Length == 2 && outMeta.Dimensions[1] == 1;
        if (!outMeta.IsTensor || outMeta.ElementDataType != TensorElementType.Float || !(outMeta.Dimensions.Length == 1 || column))
            throw new InvalidDataException($"{origin}: output '{output}' must be a float score per candidate ([candidates] or [candidates x 1]), it is {Describe(outMeta)}");
        return (schema, input, output, column);
    }

    private static string Describe(NodeMetadata meta) =>
        meta.IsTensor ? $"{meta.ElementDataType} [{string.Join(" x ", meta.Dimensions.Select((d, i) => d >= 0 ? d.ToString() : meta.SymbolicDimensions[i] is { Length: > 0 } s ? s : "?"))}]" : meta.OnnxValueType.ToString();
}
