using System.Runtime.InteropServices;
using Google.Protobuf;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Models.Onnx.Proto;

namespace RecSys.Engine.Models.Onnx;

/// <summary>
/// Builds an ONNX model (IR version 8, opset 17; "ai.onnx.ml" opset 3 when a node of that domain is added) from
/// inputs, outputs, float / int64 initializers and nodes, and writes it as protobuf. An exporter is a short list of
/// calls:
/// <code>
///  var g = new OnnxGraphBuilder("mlp_ranker");
///  g.AddInput("features", OnnxElementType.Float, "candidates", 58);
///  g.AddInitializer("w0", weights, 64, 58);
///  g.AddNode("Gemm", ["features", "w0", "b0"], ["h0"], OnnxAttribute.Int("transB", 1));
///  g.AddOutput("score", OnnxElementType.Float, "candidates");
///  g.Save(path, metadata);
/// </code>
/// Names are checked as they are added (a node input must be a graph input, an initializer or an earlier output), so
/// a mistake fails here with the name rather than in the runtime's loader.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>ONNX IR version written (ONNX Runtime 1.31-1.32 reads 3-10; 8 is opset 17's).</summary>
    public const long IrVersion = 8;

    public const long DefaultOpset = 17;

    public const string MlDomain = "ai.onnx.ml";

    public const long MlOpset = 3;

    private readonly GraphProto _graph;
    private readonly Dictionary<string, long> _opsets = new(StringComparer.Ordinal) { [""] = DefaultOpset };
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private int _nodes;

    public OnnxGraphBuilder(string graphName)
    {
        ArgumentException.ThrowIfNullOrEmpty(graphName);
        _graph = new GraphProto { Name = graphName };
    }

    /// <summary>Imports <paramref name="domain"/> at <paramref name="version"/> (overrides the defaults above).</summary>
    public OnnxGraphBuilder UseOpset(string domain, long version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        _opsets[domain] = version;
        return this;
    }

    public OnnxGraphBuilder AddInput(string name, OnnxElementType type, params OnnxDimension[] shape)
    {
        Declare(name);
        _graph.Input.Add(ValueInfo(name, type, shape));
        return this;
    }

    /// <summary>Declares a graph output; <paramref name="name"/> must already be produced by a node (or be an input).</summary>
    public OnnxGraphBuilder AddOutput(string name, OnnxElementType type, params OnnxDimension[] shape)
    {
        if (!_values.Contains(name))
            throw new ArgumentException($"output '{name}' is not produced by any node", nameof(name));
        _graph.Output.Add(ValueInfo(name, type, shape));
        return this;
    }

    public OnnxGraphBuilder AddInitializer(string name, ReadOnlySpan<float> values, params long[] dims) =>
        AddInitializer(name, OnnxElementType.Float, MemoryMarshal.AsBytes(values), values.Length, dims);

    public OnnxGraphBuilder AddInitializer(string name, ReadOnlySpan<long> values, params long[] dims) =>
        AddInitializer(name, OnnxElementType.Int64, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>
    /// Adds a node reading <paramref name="inputs"/> (graph inputs, initializers or outputs of earlier nodes; "" for
    /// an omitted optional input) and producing <paramref name="outputs"/>.
    /// </summary>
    public OnnxGraphBuilder AddNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params OnnxAttribute[] attributes) =>
        AddNode(opType, "", inputs, outputs, attributes);

    /// <summary>A node of operator set <paramref name="domain"/> (e.g. <see cref="MlDomain"/> for TreeEnsembleRegressor).</summary>
    public OnnxGraphBuilder AddNode(string opType, string domain, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        foreach (string input in inputs)
        {
            if (input.Length > 0 && !_values.Contains(input))
                throw new ArgumentException($"{opType} node reads '{input}', which no input, initializer or earlier node provides", nameof(inputs));
        }
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodes++}" };
        if (domain.Length > 0)
        {
            node.Domain = domain;
            if (!_opsets.ContainsKey(domain))
                _opsets[domain] = domain == MlDomain ? MlOpset : throw new ArgumentException($"no opset imported for domain '{domain}': call UseOpset first", nameof(domain));
        }
        node.Input.AddRange(inputs);
        foreach (string output in outputs)
            Declare(output);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes.Select(a => a.Proto));
        _graph.Node.Add(node);
        return this;
    }

    /// <summary>
    /// Adds dense layers after <paramref name="input"/>: Gemm(w_l, b_l, transB = 1) into z_(l+1), Relu into h_(l+1)
    /// between layers (not after the last). Layer l reads [sizes[l+1] x sizes[l]] row-major weights at
    /// <paramref name="weightOffset"/>(l) of <paramref name="parameters"/> and its biases at <paramref name="biasOffset"/>(l)
    /// (the flat layout of the MLP ranker and of the two-tower towers). Returns the last layer's output name.
    /// </summary>
    public string AddDenseLayers(string input, ReadOnlySpan<float> parameters, IReadOnlyList<int> sizes, Func<int, int> weightOffset, Func<int, int> biasOffset)
    {
        string current = input;
        int layers = sizes.Count - 1;
        for (int l = 0; l < layers; l++)
        {
            int inputs = sizes[l], outputs = sizes[l + 1];
            string w = $"w_{l}", b = $"b_{l}", z = $"z_{l + 1}";
            AddInitializer(w, parameters.Slice(weightOffset(l), outputs * inputs), outputs, inputs);
            AddInitializer(b, parameters.Slice(biasOffset(l), outputs), outputs);
            AddNode("Gemm", [current, w, b], [z], OnnxAttribute.Int("transB", 1));
            current = z;
            if (l < layers - 1)
            {
                AddNode("Relu", [z], [$"h_{l + 1}"]);
                current = $"h_{l + 1}";
            }
        }
        return current;
    }

    /// <summary>The model as .onnx bytes, with <paramref name="metadata"/> in metadata_props.</summary>
    public byte[] Build(IReadOnlyDictionary<string, string>? metadata = null, string? docString = null)
    {
        if (_graph.Output.Count == 0)
            throw new InvalidOperationException("the graph has no output");
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "RecSys.Engine",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = _graph,
        };
        if (docString is not null)
            model.DocString = docString;
        foreach (var (domain, version) in _opsets.OrderBy(p => p.Key, StringComparer.Ordinal))
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return model.ToByteArray();
    }

    /// <summary>Writes <see cref="Build"/>'s bytes to <paramref name="path"/> durably (<see cref="DurableFile"/>: never half a model).</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null, string? docString = null) =>
        DurableFile.WriteAllBytes(path, Build(metadata, docString));

    private OnnxGraphBuilder AddInitializer(string name, OnnxElementType type, ReadOnlySpan<byte> bytes, int count, long[] dims)
    {
        long expected = 1;
        foreach (long d in dims)
            expected *= d;
        if (expected != count)
            throw new ArgumentException($"initializer '{name}' has {count} values, shape [{string.Join(", ", dims)}] holds {expected}", nameof(dims));
        Declare(name);
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("raw_data is little-endian; this exporter writes host-order bytes");
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return this;
    }

    private void Declare(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_values.Add(name))
            throw new ArgumentException($"'{name}' is already defined in this graph", nameof(name));
    }

    private static ValueInfoProto ValueInfo(string name, OnnxElementType type, OnnxDimension[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (OnnxDimension d in shape)
        {
            tensorShape.Dim.Add(d.Symbol is not null
                ? new TensorShapeProto.Types.Dimension { DimParam = d.Symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = d.Size!.Value });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }
}
