using RecSys.Engine.Core.Validation;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Index.Factory;

/// <summary>
/// What index to build, named by a factory string in the FAISS manner, so the command line, a pipeline
/// config and a model manifest all name an index the same way. The grammar (keywords in any case, numbers in
/// decimal, tokens separated by commas, options in any order, each at most once):
/// <code>
///   spec       = "Flat"                                   exact search (FlatIndex)
///              | "HNSW" M { "," hnsw-opt }                 HnswIndex, M links per node (level 0 keeps 2M)
///              | "IVF" nlist ",PQ" m { "," ivf-opt }        IvfPqIndex, nlist lists, m code bytes per vector
///   hnsw-opt   = "efc" N      ef construction (default 200)
///              | "ef" N       default search beam, HnswOptions.EfSearch (default 64)
///              | "bf16"       walk level 0 on a bfloat16 copy of the rows (HnswOptions.BFloat16Traversal)
///   ivf-opt    = "R" N        keep the float vectors for exact re-rank; default re-rank depth N (R0: kept,
///                             re-ranked only when a search asks). Without R no vectors are kept.
///              | "np" N       default nprobe, IvfPqOptions.DefaultNProbe (default 16)
///              | "norot"      no random rotation before the quantizers (rotation is on by default)
/// </code>
/// Examples: "Flat", "HNSW16,efc200", "HNSW32,efc100,ef64,bf16", "IVF1024,PQ24,R100", "IVF65536,PQ16,np32,norot".
/// <see cref="Parse"/> then <see cref="object.ToString"/> gives the canonical form (HNSW always names efc; the
/// other options only when set), and parsing that gives an equal spec. Errors are
/// <see cref="IndexSpecException"/>s naming the bad token; the option rules are the options' own
/// (HnswOptions, IvfPqOptions), applied when parsing, and the dimension rules when building
/// (<see cref="IndexFactory.Create(IndexSpec, int, DistanceMetric, IndexBuildSettings?)"/>).
/// </summary>
public abstract record IndexSpec
{
    /// <summary>What <see cref="IVectorIndex.Kind"/> the built index reports ("flat", "hnsw", "ivfpq").</summary>
    public abstract string Kind { get; }

    public static IndexSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] tokens = text.Split(',', StringSplitOptions.TrimEntries);
        foreach (string t in tokens)
        {
            if (t.Length == 0)
                throw new IndexSpecException(text, t, null, "empty token (tokens are separated by single commas)");
        }
        string head = tokens[0];
        IndexSpec spec;
        if (SpecTokens.Is(head, "Flat"))
            spec = FlatIndexSpec.FromTokens(text, tokens);
        else if (SpecTokens.Number(text, head, "HNSW") is int m)
            spec = HnswIndexSpec.FromTokens(text, m, tokens);
        else if (SpecTokens.Number(text, head, "IVF") is int nlist)
            spec = IvfPqIndexSpec.FromTokens(text, nlist, tokens);
        else if (head.StartsWith("HNSW", StringComparison.OrdinalIgnoreCase) || head.StartsWith("IVF", StringComparison.OrdinalIgnoreCase))
            throw new IndexSpecException(text, head, null, "the kind is followed by a whole number: HNSW<M> (e.g. HNSW16) or IVF<nlist> (e.g. IVF1024)");
        else
            throw new IndexSpecException(text, head, null, "not an index kind (expected Flat, HNSW<M>[,options] or IVF<nlist>,PQ<m>[,options])");
        spec.Validate(text);
        return spec;
    }

    /// <summary>True when <paramref name="token"/> begins a spec ("Flat", "HNSW16", "IVF1024"), not an option of one.</summary>
    public static bool StartsSpec(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        token = token.Trim();
        return SpecTokens.Is(token, "Flat") || SpecTokens.IsNumbered(token, "HNSW") || SpecTokens.IsNumbered(token, "IVF");
    }

    /// <summary>
    /// Applies the rules of the options this spec names (those that do not need the dimension); throws an
    /// <see cref="IndexSpecException"/> naming the token and the field.
    /// </summary>
    public void Validate() => Validate(ToString());

    private void Validate(string text)
    {
        try
        {
            CheckOptions();
        }
        catch (ArgumentException e) when (TokenFor(e.ParamName) is not null)
        {
            throw new IndexSpecException(text, TokenFor(e.ParamName)!, e.ParamName, ArgumentReason.Of(e), e);
        }
    }

    public abstract override string ToString();

    /// <summary>Runs the options' own rules; throws their ArgumentException naming the field.</summary>
    private protected abstract void CheckOptions();

    /// <summary>The token that sets options field <paramref name="field"/> (as this spec formats it); null if none does.</summary>
    internal abstract string? TokenFor(string? field);

    /// <summary>The index, empty (IVF-PQ untrained).</summary>
    internal abstract IVectorIndex Build(int dimension, DistanceMetric metric, IndexBuildSettings build);
}
