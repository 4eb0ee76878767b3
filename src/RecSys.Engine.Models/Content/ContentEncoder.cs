using System.Text;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;

namespace RecSys.Engine.Models.Content;

/// <summary>
/// Item vectors from metadata and user profiles from history:
/// <code>
///  [ one-hot categories (C dims) | hashed title + tag tokens (H buckets) ]  x  idf  ->  L2-normalised
/// </code>
/// idf(f) = ln((1 + N) / (1 + df(f))) + 1 over the N catalog items (sklearn's smooth idf), so rare genres and
/// words weigh more. A user's profile is the value-weighted mean of their items' vectors, L2-normalised; the
/// score of an item is profile . item (cosine). Tokens hash with FNV-1a (stable across runs and platforms).
/// </summary>
public sealed class ContentEncoder(ContentOptions? options = null) : IRecommender, IHistoryScorer
{
    private float[] _itemVectors = [];
    private float[] _userProfiles = [];
    private string[] _categories = [];

    public ContentOptions Options { get; } = options ?? new ContentOptions();

    public string Name => ModelKind.Content.Name();

    public int Dimension { get; private set; }

    public int ItemCount { get; private set; }

    /// <summary>Items x <see cref="Dimension"/>, row-major, each row unit length (or zero without metadata).</summary>
    public ReadOnlySpan<float> ItemVectors => _itemVectors;

    public ReadOnlySpan<float> ItemVector(int item) => _itemVectors.AsSpan(item * Dimension, Dimension);

    public ReadOnlySpan<float> UserProfile(int user) => _userProfiles.AsSpan(user * Dimension, Dimension);

    public string Describe() => $"hash_buckets={Options.HashBuckets} title={Options.UseTitle.ToString().ToLowerInvariant()} category_weight={Options.CategoryWeight:G}";

    public void Fit(TrainingData data)
    {
        ItemCatalog catalog = data.Catalog ?? throw new InvalidOperationException("the content model needs item metadata (a catalog)");
        EncodeItems(catalog, data.ItemCount);
        AttachHistories(data.Matrix);
    }

    /// <summary>Builds every user's profile from the users x items matrix (after a restore, or for new histories).</summary>
    public void AttachHistories(InteractionMatrix usersByItems)
    {
        var profiles = new float[usersByItems.RowCount * Dimension];
        Parallel.For(0, usersByItems.RowCount, u =>
            BuildProfile(usersByItems.Columns(u), usersByItems.RowValues(u), profiles.AsSpan(u * Dimension, Dimension)));
        _userProfiles = profiles;
    }

    /// <summary>
    /// What training learned (categories, idf, options): encodes items added after training, and query text, into
    /// the same space. Null for a model restored from a directory saved before the vocabulary was kept.
    /// </summary>
    public ContentVocabulary? Vocabulary { get; private set; }

    /// <summary>Computes the item vectors of <paramref name="itemCount"/> items from <paramref name="catalog"/>.</summary>
    public void EncodeItems(ItemCatalog catalog, int itemCount)
    {
        if (Options.HashBuckets < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "hash buckets must be >= 1");
        _categories = catalog.DistinctCategories();
        var categoryIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < _categories.Length; c++)
            categoryIndex.Add(_categories[c], c);
        Dimension = _categories.Length + Options.HashBuckets;
        ItemCount = itemCount;
        _itemVectors = new float[itemCount * Dimension];
        var df = new int[Dimension];
        for (int i = 0; i < itemCount; i++)
        {
            Span<float> row = _itemVectors.AsSpan(i * Dimension, Dimension);
            ContentVocabulary.AccumulateRaw(categoryIndex, _categories.Length, Options, catalog.Title(i), catalog.Categories(i), catalog.Tags(i), row);
            for (int f = 0; f < Dimension; f++)
            {
                if (row[f] != 0)
                    df[f]++;
            }
        }
        var idf = new float[Dimension];
        for (int f = 0; f < Dimension; f++)
            idf[f] = (float)(Math.Log((1.0 + itemCount) / (1.0 + df[f])) + 1.0);
        for (int i = 0; i < itemCount; i++)
        {
            Span<float> row = _itemVectors.AsSpan(i * Dimension, Dimension);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, idf, row);
            NormalizeOrZero(row);
        }
        Vocabulary = new ContentVocabulary(Options, _categories, idf);
    }

    /// <summary>A user's content profile from any history (new users included).</summary>
    public void BuildProfile(ReadOnlySpan<int> items, ReadOnlySpan<float> values, Span<float> profile)
    {
        profile[..Dimension].Clear();
        for (int p = 0; p < items.Length; p++)
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(ItemVector(items[p]), values.IsEmpty ? 1f : values[p], profile[..Dimension], profile[..Dimension]);
        NormalizeOrZero(profile[..Dimension]);
    }

    public void Score(int user, Span<float> scores) => ScoreProfile(UserProfile(user), scores);

    public void ScoreProfile(ReadOnlySpan<float> profile, Span<float> scores) =>
        DotProduct.ComputeMany(profile, _itemVectors, Dimension, scores[..ItemCount]);

    internal void Restore(float[] itemVectors, int items, int dimension, ContentVocabulary? vocabulary)
    {
        if (vocabulary is not null && vocabulary.Dimension != dimension)
            throw new InvalidDataException($"the content vocabulary has {vocabulary.Dimension} dimensions, the item vectors {dimension}");
        _itemVectors = itemVectors;
        ItemCount = items;
        Dimension = dimension;
        Vocabulary = vocabulary;
    }

    private static void NormalizeOrZero(Span<float> v) => ContentVocabulary.NormalizeOrZero(v);

    /// <summary>Lower-cased letter/digit runs of length 2 and more.</summary>
    internal static IEnumerable<string> Tokens(string text)
    {
        var sb = new StringBuilder();
        foreach (char ch in text)
        {
            if (char.IsLetterOrDigit(ch))
            {
                sb.Append(char.ToLowerInvariant(ch));
                continue;
            }
            if (sb.Length >= 2)
                yield return sb.ToString();
            sb.Clear();
        }
        if (sb.Length >= 2)
            yield return sb.ToString();
    }

    /// <summary>FNV-1a of <paramref name="s"/>; pass a previous result as <paramref name="hash"/> to hash a concatenation without building it.</summary>
    internal static uint Fnv1a(ReadOnlySpan<char> s, uint hash = 2166136261)
    {
        foreach (char ch in s)
        {
            hash ^= ch;
            hash *= 16777619;
        }
        return hash;
    }
}
