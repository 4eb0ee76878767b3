using System.Globalization;

namespace RecSys.Engine.LoadGen;

/// <summary>
/// Weights of the request kinds, written <c>Recommend=70,SimilarItems=10,SearchVectors=10,RecordEvents=5,UpsertItems=5</c>
/// (kind names in any case; a kind left out gets weight 0). Each request's kind is one weighted draw.
/// </summary>
public sealed class RequestMix
{
    private static readonly RequestKind[] Kinds = Enum.GetValues<RequestKind>();
    private readonly double[] _cumulative; // by kind, the running sum of the weights divided by their total
    private readonly RequestKind _last; // the last kind with a weight: a draw at the top edge (rounding) lands there

    private RequestMix(double[] weights)
    {
        Weights = weights;
        double total = weights.Sum();
        _cumulative = new double[weights.Length];
        double sum = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            _cumulative[i] = sum / total;
            if (weights[i] > 0)
                _last = Kinds[i];
        }
    }

    /// <summary>Recommend only.</summary>
    public static RequestMix RecommendOnly { get; } = new(Kinds.Select(k => k == RequestKind.Recommend ? 1.0 : 0.0).ToArray());

    /// <summary>The weight of each kind, indexed by <see cref="RequestKind"/>.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>Whether the mix sends any request of <paramref name="kind"/>.</summary>
    public bool Sends(RequestKind kind) => Weights[(int)kind] > 0;

    /// <summary>The kind for a uniform draw <paramref name="u"/> in [0, 1).</summary>
    public RequestKind Pick(double u)
    {
        for (int i = 0; i < _cumulative.Length; i++)
        {
            if (u < _cumulative[i] && Weights[i] > 0)
                return Kinds[i];
        }
        return _last;
    }

    public override string ToString() =>
        string.Join(",", Kinds.Where(Sends).Select(k => string.Create(CultureInfo.InvariantCulture, $"{k}={Weights[(int)k]}")));

    /// <summary>Parses <c>KIND=WEIGHT,...</c>; a bad entry names <paramref name="flag"/> and the entry.</summary>
    public static RequestMix Parse(string text, string flag)
    {
        var weights = new double[Kinds.Length];
        var seen = new HashSet<RequestKind>();
        foreach (string entry in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = entry.IndexOf('=');
            string name = eq < 0 ? entry : entry[..eq];
            if (!Enum.TryParse(name, ignoreCase: true, out RequestKind kind) || !Enum.IsDefined(kind) || int.TryParse(name, out _))
                throw new LoadArgumentException(flag, $"'{entry}': unknown request kind '{name}' (kinds: {string.Join(", ", Kinds)})");
            if (!seen.Add(kind))
                throw new LoadArgumentException(flag, $"'{entry}': {kind} is named twice");
            double weight = 1;
            if (eq >= 0 && (!double.TryParse(entry.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || !double.IsFinite(weight) || weight < 0))
                throw new LoadArgumentException(flag, $"'{entry}': the weight must be a number >= 0");
            weights[(int)kind] = weight;
        }
        if (weights.Sum() <= 0)
            throw new LoadArgumentException(flag, $"'{text}': at least one weight must be above 0");
        return new RequestMix(weights);
    }
}
