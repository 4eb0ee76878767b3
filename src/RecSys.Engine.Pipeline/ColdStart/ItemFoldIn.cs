using RecSys.Engine.Features;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.ColdStart;

/// <summary>
/// An item added after training (or trained without events: an all-zero row, such as an item added just before a retrain)
/// gets a CF row once users interact with it, so the collaborative sources can find it,
/// similar-items can seed from it, and its users' fold-ins count it; until then it is served through content and
/// exploration. The row is the ALS item half-step for that one item (<see cref="ImplicitAls.FoldInItem"/>) over the
/// current vectors of its users (<see cref="ItemInteractors"/>): each user's stored CF vector of this model, else their
/// trained row; a user with neither (a new user whose vector another model folded) is left out.
/// <code>
///   events      a new user of the item -> every serving model folds it in once it has ItemFoldInUsers users
///               -> the model's rows (AlsRows) -> its CF index: added the first time, then moved when the count of users
///               ever added reaches a power of two (an HNSW move is a delete and an insert; between moves the index
///               places the item by an older row, while every score is read from the current one). A deleted item
///               gets its row, not an index entry (an upsert that brings it back adds the row)
///   attach      a version (a start, a swap, an experiment's) folds in every item its model has no row for and whose
///               users are enough, before it serves
/// </code>
/// Callers serialise it with catalog writes (index inserts and deletes, row writes).
/// </summary>
internal static class ItemFoldIn
{
    [ThreadStatic]
    private static FoldInScratch? t_scratch;

    /// <summary>Folds in every item of <paramref name="catalog"/>'s interactors that <paramref name="models"/> has no row for; returns how many.</summary>
    public static async ValueTask<int> CatchUpAsync(ServingModels models, LiveCatalog catalog, IFeatureStore store, int minUsers, CancellationToken cancellationToken)
    {
        if (models.Als is not { } als || models.AlsRows is not { } rows)
            return 0;
        int folded = 0;
        foreach (var (ordinal, users) in catalog.Interactors.Copy())
        {
            if (!rows.NeedsFoldIn(ordinal) || users.Length < minUsers || !rows.Row(ordinal).IsEmpty)
                continue;
            // A deleted item gets its row (an upsert that brings it back puts the row in the index), not an index entry.
            if (await FoldInAsync(models, ordinal, users, reindex: true, index: !catalog.IsDeleted(ordinal), store, cancellationToken).ConfigureAwait(false))
                folded++;
        }
        return folded;
    }

    /// <summary>
    /// The item's row from <paramref name="users"/>' current vectors into the model's rows and, when <paramref name="index"/>
    /// (the item is live) and it had no row there or <paramref name="reindex"/>, its CF index. False when none of the users
    /// has a vector of this model (nothing changes).
    /// </summary>
    public static async ValueTask<bool> FoldInAsync(ServingModels models, int ordinal, long[] users, bool reindex, bool index, IFeatureStore store, CancellationToken cancellationToken)
    {
        var als = models.Als!;
        var rows = models.AlsRows!;
        int k = als.Factors;
        var stored = new Task<float[]?>[users.Length];
        for (int i = 0; i < users.Length; i++)
            stored[i] = store.GetCfVectorAsync(users[i], cancellationToken).AsTask();
        await Task.WhenAll(stored).ConfigureAwait(false);
        var gathered = new float[users.Length * k];
        int n = 0;
        for (int i = 0; i < users.Length; i++)
        {
            ReadOnlySpan<float> vector = default;
            if (stored[i].Result is { } s && CfVectorTags.Matches(s, k, models.CfVectorTag))
                vector = s.AsSpan(0, k);
            else if (models.AlsUsers is { } map && map.TryGetOrdinal(users[i], out int user) && user < als.UserCount)
                vector = als.UserRow(user);
            if (vector.IsEmpty || !vector.ContainsAnyExcept(0f))
                continue;
            vector.CopyTo(gathered.AsSpan(n++ * k, k));
        }
        if (n == 0)
            return false;
        var row = new float[k];
        als.FoldInItem(gathered, n, row, FoldInScratch.For(ref t_scratch, k));
        foreach (float f in row)
        {
            if (!float.IsFinite(f))
                return false;
        }
        bool hadRow = !rows.Row(ordinal).IsEmpty;
        rows.SetFolded(ordinal, row);
        if (index && models.CfIndex is { } cfIndex && (!hadRow || reindex))
        {
            // Remove is a no-op for an item the index does not hold (one deleted, then brought back with this row).
            if (hadRow)
                cfIndex.Remove([ordinal]);
            cfIndex.Add([ordinal], row);
        }
        return true;
    }
}
