using System.Numerics.Tensors;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// The two-tower retriever: a user tower and an item tower that map into one space where a dot product of their
/// (unit-length) outputs is the cosine, so retrieval is one ANN search over the item vectors.
/// <code>
///  user:  [user features (TwoTowerFeatures) | mean of E[recent items]] -> Dense+ReLU -> Dense -> L2  = u
///  item:  [item features incl. content       | E[item] (0 if none)   ] -> Dense+ReLU -> Dense -> L2  = v
///  score(user, item) = u . v        E: learned item embeddings, shared by both towers (row ItemCount = padding, 0)
/// </code>
/// Trained by <see cref="TwoTowerTrainer"/> (in-batch sampled softmax, Adam, early stopping on validation recall).
/// All parameters live in one flat array: [E | user tower layers | item tower layers]. Offline scoring
/// (<see cref="Score"/>) dots the user's vector with every item vector; serving puts <see cref="ItemVectors"/> into an
/// index and runs the user tower per request (<see cref="UserEncoder"/>, or the ONNX export on ONNX Runtime).
/// </summary>
public sealed class TwoTowerModel : IRecommender
{
    private TwoTowerFeatures? _features;
    private int[] _itemCounts = [];
    private double[] _itemAgeDays = [];
    private float[] _itemVectors = [];
    private float[] _userVectors = [];
    private TowerEncoder? _userEncoder;
    private TowerEncoder? _itemEncoder;

    public TwoTowerModel(TwoTowerOptions? options = null, ContentOptions? content = null)
    {
        Options = options ?? new TwoTowerOptions();
        Options.Validate();
        ContentOptions = content ?? new ContentOptions();
    }

    public TwoTowerOptions Options { get; }

    /// <summary>How the content block of the item features is encoded.</summary>
    public ContentOptions ContentOptions { get; }

    public string Name => ModelKind.TwoTower.Name();

    public TwoTowerFeatures Features => _features ?? throw NotFitted();

    /// <summary>Items with a trained embedding (ordinals 0..ItemCount-1); <see cref="PaddingId"/> = ItemCount.</summary>
    public int ItemCount { get; private set; }

    public int UserCount { get; private set; }

    /// <summary>The id of the zero embedding row: empty history slots, items without a trained embedding.</summary>
    public long PaddingId => ItemCount;

    /// <summary>Width of the tower outputs.</summary>
    public int Dimension => Options.Dimension;

    public float[] Parameters { get; private set; } = [];

    public TowerLayout UserTower { get; private set; } = null!;

    public TowerLayout ItemTower { get; private set; } = null!;

    /// <summary>[(ItemCount + 1) x EmbeddingDimension], the last row the padding (always zero).</summary>
    public ReadOnlySpan<float> Embeddings => Parameters.AsSpan(0, (ItemCount + 1) * Options.EmbeddingDimension);

    /// <summary>The item tower's output for every trained item, [ItemCount x Dimension], unit rows: what the index holds.</summary>
    public ReadOnlySpan<float> ItemVectors => _itemVectors;

    public ReadOnlySpan<float> ItemVector(int item) => _itemVectors.AsSpan(item * Dimension, Dimension);

    /// <summary>The user tower's output for each training user (their training history), [UserCount x Dimension].</summary>
    public ReadOnlySpan<float> UserVector(int user) => _userVectors.AsSpan(user * Dimension, Dimension);

    public TwoTowerTrainingResult? Training { get; private set; }

    /// <summary>The user tower through the C# forward pass.</summary>
    public ITowerEncoder UserEncoder => _userEncoder ?? throw NotFitted();

    /// <summary>The item tower through the C# forward pass.</summary>
    public ITowerEncoder ItemEncoder => _itemEncoder ?? throw NotFitted();

    public ITowerEncoder Encoder(TowerKind tower) => tower == TowerKind.User ? UserEncoder : ItemEncoder;

    public TowerLayout Layout(TowerKind tower) => tower == TowerKind.User ? UserTower : ItemTower;

    public string Describe() =>
        Training is null ? $"twotower (not fitted) {Options}"
        : $"twotower user={string.Join("-", UserTower.LayerSizes)} item={string.Join("-", ItemTower.LayerSizes)} parameters={Parameters.Length} "
          + $"epochs={Training.Epochs} best_epoch={Training.BestEpoch} validation_recall@{Options.RecallK}={Training.ValidationRecall:F4} {Options}";

    public void Fit(TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ContentVocabulary? vocabulary = null;
        float[] contentRows = [];
        if (data.Catalog is not null)
        {
            var content = new ContentEncoder(ContentOptions);
            content.EncodeItems(data.Catalog, data.ItemCount);
            vocabulary = content.Vocabulary;
            contentRows = content.ItemVectors.ToArray();
        }
        var features = new TwoTowerFeatures(vocabulary, Options.MaxHistory, Options.DemographicBuckets, Options.SegmentBuckets);
        Training = TwoTowerTrainer.Train(this, data, features, contentRows);
    }

    /// <summary>Sizes the parameters for <paramref name="items"/> trained items and draws them from the seed (the trainer's first step).</summary>
    internal void Initialize(TwoTowerFeatures features, int items, int users)
    {
        ItemCount = items;
        UserCount = users;
        int e = Options.EmbeddingDimension;
        int table = (items + 1) * e;
        UserTower = new TowerLayout(TowerKind.User, features.UserCount, Options.MaxHistory, e, Options.Hidden, Options.Dimension, table);
        ItemTower = new TowerLayout(TowerKind.Item, features.ItemCount, 1, e, Options.Hidden, Options.Dimension, UserTower.End);
        Parameters = new float[ItemTower.End];
        var rng = new SplitMix64(Options.Seed);
        Span<float> embeddings = Parameters.AsSpan(0, items * e);
        for (int i = 0; i < embeddings.Length; i++)
            embeddings[i] = 0.1f * (float)rng.NextGaussian();
        foreach (var tower in new[] { UserTower, ItemTower })
        {
            // He-normal for the ReLU layers, zero biases.
            for (int l = 0; l < tower.LayerCount; l++)
            {
                float scale = MathF.Sqrt(2f / tower.LayerSizes[l]);
                Span<float> w = Parameters.AsSpan(tower.WeightOffset(l), tower.WeightCount(l));
                for (int i = 0; i < w.Length; i++)
                    w[i] = scale * (float)rng.NextGaussian();
            }
        }
        _userEncoder = new TowerEncoder(this, UserTower);
        _itemEncoder = new TowerEncoder(this, ItemTower);
    }

    /// <summary>
    /// Computes the item and user vectors from <paramref name="set"/> (the data the model is served with), and keeps
    /// what encoding a trained item again needs (its popularity and age).
    /// </summary>
    internal void Finish(TwoTowerTrainingSet set)
    {
        _features = set.Features;
        _itemCounts = set.ItemCounts;
        _itemAgeDays = set.ItemAgeDays;
        _itemVectors = new float[ItemCount * Dimension];
        EncodeItems(set, _itemVectors);
        var users = new int[UserCount];
        for (int u = 0; u < users.Length; u++)
            users[u] = u;
        _userVectors = new float[UserCount * Dimension];
        EncodeUsers(set, users, _userVectors);
    }

    public void Score(int user, Span<float> scores)
    {
        if (_features is null)
            throw NotFitted();
        if (_userVectors.Length == 0 && UserCount > 0)
            throw new InvalidOperationException("the two-tower model was restored for serving (ModelStore.LoadTwoTower): it keeps no training users' vectors to score offline");
        DotProduct.ComputeMany(UserVector(user), _itemVectors, Dimension, scores[..ItemCount]);
    }

    /// <summary>
    /// Fills the user tower's id slots from the user's items, newest first: ordinals with a trained embedding, up to
    /// <see cref="TwoTowerOptions.MaxHistory"/>, then padding. Returns how many slots hold an item (the history length).
    /// </summary>
    public int WriteHistory(ReadOnlySpan<int> recentNewestFirst, Span<long> ids, int skip = -1)
    {
        int h = Options.MaxHistory, n = 0;
        ids = ids[..h];
        foreach (int item in recentNewestFirst)
        {
            if (n == h)
                break;
            if (item != skip && (uint)item < (uint)ItemCount)
                ids[n++] = item;
        }
        ids[n..].Fill(PaddingId);
        return n;
    }

    /// <summary>
    /// The item tower's vector of an item from its metadata (an upsert, off the request path): a trained ordinal keeps its
    /// id embedding and training popularity; any other (an item added after training: <paramref name="ordinal"/> -1 or past
    /// the trained ones) has neither and is placed by content and metadata alone. <paramref name="ageDays"/> null = not
    /// given: a trained item keeps its training age, a new one is 0 days old.
    /// </summary>
    public void EncodeItem(int ordinal, string title, IReadOnlyList<string> categories, IReadOnlyList<string> tags, double? ageDays, Span<float> vector)
    {
        TwoTowerFeatures features = Features;
        bool trained = (uint)ordinal < (uint)ItemCount;
        Span<float> content = features.ContentDimension == 0 ? default : new float[features.ContentDimension];
        features.Content?.Encode(title, categories, tags, content);
        var row = new float[features.ItemCount];
        double age = ageDays ?? (trained ? _itemAgeDays[ordinal] : 0);
        features.WriteItem(categories, trained ? _itemCounts[ordinal] : 0, age, content, row);
        ReadOnlySpan<long> id = [trained ? ordinal : PaddingId];
        ItemEncoder.Encode(row, id, 1, vector);
    }

    /// <summary>Each trained item's training interactions (its popularity feature), [ItemCount].</summary>
    public ReadOnlySpan<int> ItemCounts => _itemCounts;

    /// <summary>Each trained item's age in days at training (its age feature), [ItemCount].</summary>
    public ReadOnlySpan<double> ItemAgeDays => _itemAgeDays;

    /// <summary>
    /// A fitted model back from its saved parts (ModelStore.LoadTwoTower): what serving needs (both towers' forward
    /// passes, the item vectors, encoding items added later), not the training users' vectors (<see cref="Score"/> refuses).
    /// </summary>
    internal void Restore(TwoTowerFeatures features, int items, int users, float[] parameters, int[] itemCounts, double[] itemAgeDays, float[] itemVectors)
    {
        int e = Options.EmbeddingDimension;
        var user = new TowerLayout(TowerKind.User, features.UserCount, Options.MaxHistory, e, Options.Hidden, Options.Dimension, (items + 1) * e);
        var item = new TowerLayout(TowerKind.Item, features.ItemCount, 1, e, Options.Hidden, Options.Dimension, user.End);
        if (parameters.Length != item.End)
            throw new ArgumentException($"{parameters.Length} parameters; {items} items and these options need {item.End}", nameof(parameters));
        if (itemCounts.Length != items || itemAgeDays.Length != items || itemVectors.Length != (long)items * Options.Dimension)
            throw new ArgumentException($"item statistics and vectors must cover the {items} trained items", nameof(itemVectors));
        ItemCount = items;
        UserCount = users;
        UserTower = user;
        ItemTower = item;
        Parameters = parameters;
        _features = features;
        _itemCounts = itemCounts;
        _itemAgeDays = itemAgeDays;
        _itemVectors = itemVectors;
        _userVectors = [];
        _userEncoder = new TowerEncoder(this, UserTower);
        _itemEncoder = new TowerEncoder(this, ItemTower);
    }

    /// <summary>One tower's forward pass over <paramref name="n"/> rows into unit vectors (<see cref="TowerScratch"/> keeps the activations).</summary>
    internal void Forward(TowerLayout tower, ReadOnlySpan<float> features, ReadOnlySpan<long> ids, int n, TowerScratch s, Span<float> vectors)
    {
        s.Ensure(n);
        int f = tower.Features, e = tower.EmbeddingDimension, slots = tower.IdSlots, d = tower.Dimension;
        Span<float> x = s.Layers[0].AsSpan(0, (f + e) * n);
        TwoTowerKernels.Transpose(features[..(n * f)], n, f, x);
        ReadOnlySpan<float> table = Embeddings;
        Span<float> pool = s.Pool;
        long pad = PaddingId;
        for (int r = 0; r < n; r++)
        {
            pool.Clear();
            int count = 0;
            foreach (long id in ids.Slice(r * slots, slots))
            {
                if (id == pad)
                    continue;
                if ((ulong)id > (ulong)pad)
                    throw new ArgumentOutOfRangeException(nameof(ids), id, $"row {r}: an id must be an item ordinal below {pad} or the padding id {pad}");
                TensorPrimitives.Add(pool, table.Slice((int)id * e, e), pool);
                count++;
            }
            if (count > 0)
                TensorPrimitives.Divide(pool, count, pool);
            s.Counts[r] = count;
            for (int j = 0; j < e; j++)
                x[(f + j) * n + r] = pool[j];
        }
        for (int l = 0; l < tower.LayerCount; l++)
        {
            MlpKernels.DenseForward(Parameters.AsSpan(tower.WeightOffset(l), tower.WeightCount(l)), Parameters.AsSpan(tower.BiasOffset(l), tower.LayerSizes[l + 1]),
                s.Layers[l].AsSpan(0, tower.LayerSizes[l] * n), n, s.Layers[l + 1].AsSpan(0, tower.LayerSizes[l + 1] * n), relu: l < tower.LayerCount - 1);
        }
        Span<float> output = s.Output.AsSpan(0, n * d);
        TwoTowerKernels.Transpose(s.Layers[tower.LayerCount].AsSpan(0, d * n), d, n, output);
        TwoTowerKernels.NormalizeRows(output, d, s.Norms);
        output.CopyTo(vectors);
    }

    /// <summary>Every item of <paramref name="set"/> through the item tower (its own id), into [items x Dimension].</summary>
    internal void EncodeItems(TwoTowerTrainingSet set, Span<float> vectors)
    {
        const int Batch = 256;
        var ids = new long[Batch];
        var scratch = new TowerScratch(ItemTower, Batch);
        int fi = ItemTower.Features;
        for (int start = 0; start < set.Items; start += Batch)
        {
            int n = Math.Min(Batch, set.Items - start);
            for (int r = 0; r < n; r++)
                ids[r] = start + r < ItemCount ? start + r : PaddingId;
            Forward(ItemTower, set.ItemRows.AsSpan(start * fi, n * fi), ids, n, scratch, vectors.Slice(start * Dimension, n * Dimension));
        }
    }

    /// <summary><paramref name="users"/> through the user tower (their whole recent history in <paramref name="set"/>), into [users.Length x Dimension].</summary>
    internal void EncodeUsers(TwoTowerTrainingSet set, ReadOnlySpan<int> users, Span<float> vectors)
    {
        const int Batch = 256;
        int fu = UserTower.Features, h = UserTower.IdSlots;
        var rows = new float[Batch * fu];
        var ids = new long[Batch * h];
        var scratch = new TowerScratch(UserTower, Batch);
        for (int start = 0; start < users.Length; start += Batch)
        {
            int n = Math.Min(Batch, users.Length - start);
            for (int r = 0; r < n; r++)
            {
                int u = users[start + r];
                set.UserRows.AsSpan(u * fu, fu).CopyTo(rows.AsSpan(r * fu, fu));
                WriteHistory(set.Recent(u), ids.AsSpan(r * h, h));
            }
            Forward(UserTower, rows, ids, n, scratch, vectors.Slice(start * Dimension, n * Dimension));
        }
    }

    private static InvalidOperationException NotFitted() => new("the two-tower model is not fitted");
}
