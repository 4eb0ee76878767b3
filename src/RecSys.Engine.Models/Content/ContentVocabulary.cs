using System.Numerics.Tensors;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Models.Content;

/// <summary>
/// What the content encoder learned from the catalog, kept with the model so that an item added after training
/// (or a search query) gets a vector in the same space at once:
/// <code>
///   categories (sorted, the one-hot layout) | hash buckets (title and tag tokens, FNV-1a) | options (weights)
///   idf per dimension (ln((1 + N) / (1 + df)) + 1 over the training catalog)
///   encode(title, categories, tags) = L2-normalise(raw features x idf)
/// </code>
/// A category the training catalog never had has no dimension: it adds nothing (its tokens still do through tags).
/// Immutable after construction; thread-safe.
/// </summary>
public sealed class ContentVocabulary
{
    private readonly Dictionary<string, int> _categoryIndex;
    private readonly string[] _categories;
    private readonly float[] _idf;

    public ContentVocabulary(ContentOptions options, string[] categories, float[] idf)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(idf);
        if (options.HashBuckets < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.HashBuckets, "hash buckets must be >= 1");
        if (idf.Length != categories.Length + options.HashBuckets)
            throw new ArgumentException($"idf holds {idf.Length} weights; {categories.Length} categories + {options.HashBuckets} buckets need {categories.Length + options.HashBuckets}", nameof(idf));
        Options = options;
        _categories = categories;
        _idf = idf;
        _categoryIndex = new Dictionary<string, int>(categories.Length, StringComparer.Ordinal);
        for (int c = 0; c < categories.Length; c++)
        {
            if (!_categoryIndex.TryAdd(categories[c], c))
                throw new ArgumentException($"category '{categories[c]}' appears twice", nameof(categories));
        }
    }

    public ContentOptions Options { get; }

    /// <summary>The one-hot categories, in dimension order.</summary>
    public IReadOnlyList<string> Categories => _categories;

    /// <summary>Inverse document frequency per dimension.</summary>
    public ReadOnlySpan<float> Idf => _idf;

    public int Dimension => _idf.Length;

    /// <summary>The dimension of <paramref name="category"/>, or -1 when the vocabulary has none for it.</summary>
    public int CategoryDimension(string category) => _categoryIndex.TryGetValue(category, out int c) ? c : -1;

    /// <summary>The item's vector (unit length, or zero when it has no known feature) into <paramref name="vector"/>.</summary>
    public void Encode(string title, IReadOnlyList<string> categories, IReadOnlyList<string> tags, Span<float> vector)
    {
        Span<float> row = vector[..Dimension];
        row.Clear();
        AccumulateRaw(_categoryIndex, _categories.Length, Options, title, categories, tags, row);
        TensorPrimitives.Multiply(row, _idf, row);
        NormalizeOrZero(row);
    }

    /// <summary>
    /// The raw features before idf: CategoryWeight on each known category's dimension, +1 per title token (when
    /// <see cref="ContentOptions.UseTitle"/>) and per tag token in its hash bucket. Training and <see cref="Encode"/>
    /// share it, so a new item lands exactly where training would have put it.
    /// </summary>
    internal static void AccumulateRaw(Dictionary<string, int> categoryIndex, int categoryCount, ContentOptions options,
        string title, IReadOnlyList<string> categories, IReadOnlyList<string> tags, Span<float> row)
    {
        uint buckets = (uint)options.HashBuckets;
        for (int c = 0; c < categories.Count; c++)
        {
            if (categoryIndex.TryGetValue(categories[c], out int d))
                row[d] = options.CategoryWeight;
        }
        if (options.UseTitle)
        {
            foreach (string token in ContentEncoder.Tokens(title))
                row[categoryCount + (int)(ContentEncoder.Fnv1a(token) % buckets)] += 1f;
        }
        for (int t = 0; t < tags.Count; t++)
        {
            foreach (string token in ContentEncoder.Tokens(tags[t]))
                row[categoryCount + (int)(ContentEncoder.Fnv1a("tag:" + token) % buckets)] += 1f;
        }
    }

    internal static void NormalizeOrZero(Span<float> v)
    {
        float norm = MathF.Sqrt(DotProduct.Compute(v, v));
        if (norm > 0)
            TensorPrimitives.Divide(v, norm, v);
    }
}
