namespace RecSys.Engine.LoadGen;

/// <summary>The calls a load run sends (names as in the protos; <c>--mix</c> weighs them).</summary>
public enum RequestKind
{
    /// <summary>Recommender.Recommend for a user in <c>--users</c>.</summary>
    Recommend,

    /// <summary>Recommender.SimilarItems for an item in <c>--items</c>.</summary>
    SimilarItems,

    /// <summary>Recommender.SearchVectors: a random unit vector of <c>--search-dim</c> values on <c>--search-index</c>.</summary>
    SearchVectors,

    /// <summary>One click (user in <c>--users</c>, item in <c>--items</c>) through Recommender.RecordEventsBatch, the unary form of RecordEvents.</summary>
    RecordEvents,

    /// <summary>Catalog.UpsertItems: one item, id cycling through <c>--upsert-ids</c>, in a one-message stream.</summary>
    UpsertItems,

    /// <summary>
    /// Catalog.DeleteItems: one existing item, ids taken in order from <c>--delete-ids</c>, each deleted once in a run (the
    /// range must hold every request the run could send). A delete is permanent: the range names items the run may remove.
    /// </summary>
    DeleteItems,
}
