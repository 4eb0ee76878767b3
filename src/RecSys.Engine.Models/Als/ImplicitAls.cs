using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;

namespace RecSys.Engine.Models.Als;

/// <summary>
/// Implicit-feedback matrix factorisation (Hu, Koren &amp; Volinsky 2008) by alternating least squares:
/// each sweep solves every user row with the item factors fixed, then every item row with the user
/// factors fixed, rows in parallel (each row is independent, so the result does not depend on the
/// thread count). Scores are user . item. <see cref="FoldIn"/> computes a user row for a new or updated
/// history with the items fixed: exactly the user half-step for that one row.
/// </summary>
public sealed class ImplicitAls : IRecommender
{
    private float[] _userFactors = [];
    private float[] _itemFactors = [];
    private float[]? _itemGram;
    private float[]? _userGram;

    public ImplicitAls(AlsOptions? options = null)
    {
        Options = options ?? new AlsOptions();
        Options.Validate();
    }

    public AlsOptions Options { get; }

    public string Name => ModelKind.Als.Name();

    public int Factors => Options.Factors;

    public int UserCount { get; private set; }

    public int ItemCount { get; private set; }

    /// <summary>Users x factors, row-major, no padding.</summary>
    public ReadOnlySpan<float> UserFactors => _userFactors;

    /// <summary>Items x factors, row-major, no padding.</summary>
    public ReadOnlySpan<float> ItemFactors => _itemFactors;

    public ReadOnlySpan<float> UserRow(int user) => _userFactors.AsSpan(user * Factors, Factors);

    public ReadOnlySpan<float> ItemRow(int item) => _itemFactors.AsSpan(item * Factors, Factors);

    public string Describe() => Options.ToString();

    public void Fit(TrainingData data) => Fit(data.Matrix, data.Transposed);

    public void Fit(InteractionMatrix usersByItems, InteractionMatrix itemsByUsers)
    {
        int k = Factors;
        UserCount = usersByItems.RowCount;
        ItemCount = usersByItems.ColumnCount;
        // Small random start scaled so initial scores are ~0.01; users start at zero because the first
        // half-step overwrites them anyway (CG from zero is a clean start).
        _userFactors = new float[UserCount * k];
        _itemFactors = new float[ItemCount * k];
        var rng = new SplitMix64(Options.Seed);
        float scale = 0.1f / MathF.Sqrt(k);
        for (int i = 0; i < _itemFactors.Length; i++)
            _itemFactors[i] = (float)rng.NextGaussian() * scale;
        for (int i = 0; i < _userFactors.Length; i++)
            _userFactors[i] = (float)rng.NextGaussian() * scale;
        for (int sweep = 0; sweep < Options.Iterations; sweep++)
        {
            HalfStep(usersByItems, _itemFactors, _userFactors);
            HalfStep(itemsByUsers, _userFactors, _itemFactors);
        }
        _itemGram = null;
        _userGram = null;
    }

    /// <summary>One more user half-step with the item factors fixed (what serving does after a batch of new events).</summary>
    public void RecomputeUsers(InteractionMatrix usersByItems)
    {
        HalfStep(usersByItems, _itemFactors, _userFactors);
        _userGram = null; // the item fold-in's shared term is over the user factors just rewritten
    }

    public void Score(int user, Span<float> scores) => ScoreVector(UserRow(user), scores);

    /// <summary>Scores of every item for an arbitrary user vector (e.g. from <see cref="FoldIn"/>).</summary>
    public void ScoreVector(ReadOnlySpan<float> userVector, Span<float> scores) =>
        DotProduct.ComputeMany(userVector, _itemFactors, Factors, scores[..ItemCount]);

    /// <summary>
    /// Computes what every <see cref="FoldIn"/> shares (Y^T Y + lambda I over all item factors) now, if not yet done.
    /// Serving calls it when a version loads: done lazily, the first fold-in after a start paid for it on the request path
    /// (1M items x 96 factors: seconds of both cores, during which the 1M server shed every call; bench/results/slo.md).
    /// </summary>
    public void PrepareFoldIn() => ItemGram();

    /// <summary>True once <see cref="PrepareFoldIn"/> (or a first <see cref="FoldIn"/>) has computed the shared term.</summary>
    public bool IsFoldInPrepared => _itemGram is not null;

    /// <summary>
    /// The least-squares user row for <paramref name="items"/> (with values, or null for all-ones) and the
    /// item factors fixed: the exact solution by Cholesky, identical to a Cholesky user half-step.
    /// Thread-safe; allocates only the k x k scratch when <paramref name="scratch"/> is null.
    /// </summary>
    public void FoldIn(ReadOnlySpan<int> items, ReadOnlySpan<float> values, Span<float> userVector, FoldInScratch? scratch = null)
    {
        int k = Factors;
        if (userVector.Length < k)
            throw new ArgumentException($"user vector needs {k} floats", nameof(userVector));
        if (!values.IsEmpty && values.Length != items.Length)
            throw new ArgumentException("values and items differ in length", nameof(values));
        foreach (int item in items)
        {
            if ((uint)item >= (uint)ItemCount)
                throw new ArgumentOutOfRangeException(nameof(items), $"item ordinal {item} outside 0..{ItemCount - 1}");
        }
        if (scratch is null || scratch.Factors != k)
            scratch = new FoldInScratch(k, items.Length);
        scratch.EnsureEvents(items.Length);
        Span<float> confidence = scratch.Confidence.AsSpan(0, items.Length);
        for (int n = 0; n < items.Length; n++)
            confidence[n] = Confidence(values.IsEmpty ? 1f : values[n]);
        float[] gram = ItemGram();
        AlsKernels.SolveExact(gram, _itemFactors, k, items, confidence, userVector, scratch.A, scratch.B, scratch.Yt, scratch.Wt);
    }

    /// <summary>
    /// A user row against item rows the caller gathered (<paramref name="itemRows"/>: <paramref name="count"/> x k, row-major),
    /// for items this model has no row of (added after training, their rows folded in by <see cref="FoldInItem"/>) beside
    /// trained ones. The shared term is the trained items' (<see cref="PrepareFoldIn"/>): the rows given enter through
    /// their own terms only, as any item's do. All-ones values, as <see cref="FoldIn"/> with none.
    /// </summary>
    public void FoldInFromRows(ReadOnlySpan<float> itemRows, int count, Span<float> userVector, FoldInScratch? scratch = null) =>
        SolveGathered(ItemGram(), itemRows, count, userVector, scratch);

    /// <summary>
    /// Computes what every <see cref="FoldInItem"/> shares (X^T X + lambda I over the trained users' factors) now, if not
    /// yet done: at version load, like <see cref="PrepareFoldIn"/>, not on an event's path.
    /// </summary>
    public void PrepareItemFoldIn() => UserGram();

    /// <summary>True once <see cref="PrepareItemFoldIn"/> (or a first <see cref="FoldInItem"/>) has computed the shared term.</summary>
    public bool IsItemFoldInPrepared => _userGram is not null;

    /// <summary>
    /// The least-squares item row for an item the users in <paramref name="userRows"/> (<paramref name="count"/> x k,
    /// row-major: their current vectors) interacted with, all-ones values, the user factors fixed: exactly the item
    /// half-step for that one row, its shared term over the trained users. For an item added after training, so it can
    /// be searched and scored with the trained ones. Thread-safe.
    /// </summary>
    public void FoldInItem(ReadOnlySpan<float> userRows, int count, Span<float> itemVector, FoldInScratch? scratch = null) =>
        SolveGathered(UserGram(), userRows, count, itemVector, scratch);

    private void SolveGathered(float[] gram, ReadOnlySpan<float> rows, int count, Span<float> x, FoldInScratch? scratch)
    {
        int k = Factors;
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (x.Length < k)
            throw new ArgumentException($"the vector needs {k} floats", nameof(x));
        if (rows.Length < (long)count * k)
            throw new ArgumentException($"{rows.Length} floats for {count} rows of {k}", nameof(rows));
        if (scratch is null || scratch.Factors != k)
            scratch = new FoldInScratch(k, count);
        scratch.EnsureEvents(count);
        Span<float> confidence = scratch.Confidence.AsSpan(0, count);
        confidence.Fill(Confidence(1f));
        AlsKernels.SolveExact(gram, rows, k, scratch.Identity(count), confidence, x, scratch.A, scratch.B, scratch.Yt, scratch.Wt);
    }

    private float[] ItemGram() => _itemGram ??= AlsKernels.Gram(_itemFactors, ItemCount, Factors, Options.Lambda);

    private float[] UserGram() => _userGram ??= AlsKernels.Gram(_userFactors, UserCount, Factors, Options.Lambda);

    private float Confidence(float value) => 1f + Options.Alpha * (Options.BinaryConfidence ? 1f : value);

    private void HalfStep(InteractionMatrix rowsByColumns, float[] fixedFactors, float[] solved)
    {
        int k = Factors;
        float[] gram = AlsKernels.Gram(fixedFactors, rowsByColumns.ColumnCount, k, Options.Lambda);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism };
        int maxLength = 0;
        for (int r = 0; r < rowsByColumns.RowCount; r++)
            maxLength = Math.Max(maxLength, rowsByColumns.RowLength(r));
        Parallel.For(0, rowsByColumns.RowCount, options, () => new FoldInScratch(k, maxLength), (row, _, scratch) =>
        {
            ReadOnlySpan<int> items = rowsByColumns.Columns(row);
            Span<float> x = solved.AsSpan(row * k, k);
            if (items.IsEmpty)
            {
                // No events: the minimiser of sum (x.y)^2 + lambda |x|^2 is zero.
                x.Clear();
                return scratch;
            }
            ReadOnlySpan<float> values = rowsByColumns.RowValues(row);
            Span<float> confidence = scratch.Confidence.AsSpan(0, items.Length);
            for (int n = 0; n < items.Length; n++)
                confidence[n] = Confidence(values[n]);
            if (Options.Solver == AlsSolver.Cholesky)
                AlsKernels.SolveExact(gram, fixedFactors, k, items, confidence, x, scratch.A, scratch.B, scratch.Yt, scratch.Wt);
            else
                AlsKernels.ConjugateGradient(gram, fixedFactors, k, items, confidence, x, Options.CgSteps, scratch.Cg);
            return scratch;
        }, _ => { });
    }

    /// <summary>
    /// A model over factors made elsewhere (a generated catalog's vectors, another trainer's output), row-major
    /// <paramref name="users"/> x <see cref="AlsOptions.Factors"/> and <paramref name="items"/> x factors; the arrays are
    /// kept, not copied. Fold-in works on it as on a trained one (it needs only the item factors).
    /// </summary>
    public static ImplicitAls FromFactors(AlsOptions options, float[] userFactors, float[] itemFactors, int users, int items)
    {
        ArgumentNullException.ThrowIfNull(userFactors);
        ArgumentNullException.ThrowIfNull(itemFactors);
        var model = new ImplicitAls(options);
        if (userFactors.LongLength != (long)users * model.Factors)
            throw new ArgumentException($"{userFactors.LongLength} user factors, expected {users} x {model.Factors}", nameof(userFactors));
        if (itemFactors.LongLength != (long)items * model.Factors)
            throw new ArgumentException($"{itemFactors.LongLength} item factors, expected {items} x {model.Factors}", nameof(itemFactors));
        model.Restore(userFactors, itemFactors, users, items);
        return model;
    }

    /// <summary>Restores a trained model (from <see cref="Persistence.ModelStore"/>).</summary>
    internal void Restore(float[] userFactors, float[] itemFactors, int users, int items)
    {
        UserCount = users;
        ItemCount = items;
        _userFactors = userFactors;
        _itemFactors = itemFactors;
        _itemGram = null;
        _userGram = null;
    }
}
