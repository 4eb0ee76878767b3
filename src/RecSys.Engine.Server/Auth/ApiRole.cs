namespace RecSys.Engine.Server.Auth;

/// <summary>What an API key may do. Each recsys.v1 method needs exactly one role (<see cref="RequiresRoleAttribute"/>).</summary>
public enum ApiRole
{
    /// <summary>Recommend, SimilarItems, SearchVectors, Rank.</summary>
    Read = 1,

    /// <summary>RecordEvents, UpsertItems, DeleteItems, UpsertUsers.</summary>
    Write = 2,

    /// <summary>ListModels, ActivateModel, Rollback, GetStats, Checkpoint, BulkLoadEmbeddings.</summary>
    Admin = 3,
}
