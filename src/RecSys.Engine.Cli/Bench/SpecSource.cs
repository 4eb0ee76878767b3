using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// Where a bench index's spec came from, so that an error names what the user typed: the flags (--M, --nlist)
/// for a name such as hnsw or ivfpq, the --index value for a factory string. The rule and its words are the
/// index options' own (see <see cref="IndexSpecException"/>); this only picks the name to report them under.
/// </summary>
internal sealed class SpecSource
{
    private readonly IReadOnlyDictionary<string, string>? _flagOfField;

    private SpecSource(IReadOnlyDictionary<string, string>? flagOfField) => _flagOfField = flagOfField;

    public static SpecSource FactoryString { get; } = new(null);

    /// <summary>A spec filled from flags: <paramref name="flagOfField"/> maps an options field ("M") to its flag ("--M").</summary>
    public static SpecSource Flags(IReadOnlyDictionary<string, string> flagOfField) => new(flagOfField);

    public CliInputException Explain(IndexSpecException e) =>
        _flagOfField is not null && e.Field is not null && _flagOfField.TryGetValue(e.Field, out string? flag)
            ? new CliInputException($"{flag}: {e.Reason}")
            : new CliInputException($"--index: {e.Message}");

    public void Validate(IndexSpec spec)
    {
        try
        {
            spec.Validate();
        }
        catch (IndexSpecException e)
        {
            throw Explain(e);
        }
    }

    /// <summary>The index for the dataset's dimension and metric, through the factory.</summary>
    public IVectorIndex Create(IndexSpec spec, AnnDataset data, IndexBuildSettings? build = null)
    {
        try
        {
            return IndexFactory.Create(spec, data.Dimension, data.Metric, build);
        }
        catch (IndexSpecException e)
        {
            throw Explain(e);
        }
    }
}
