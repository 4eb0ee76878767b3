using RecSys.Engine.Pipeline;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// What the services serve: the pipeline always; the serving state (model registry, catalog snapshot) when the server
/// was started over one, which the model RPCs (ListModels, ActivateModel, Rollback, BulkLoadEmbeddings) need.
/// </summary>
internal sealed record ServingContext(RecommendationPipeline Pipeline, ServingState? State)
{
    /// <summary>
    /// The version requests run on, as every report names it (GetStats, ListModels, the recsys.model.active gauge): the
    /// registry's version id over a serving state, else the pipeline version's name.
    /// </summary>
    public string ActiveVersion => State?.ActiveVersionId ?? Pipeline.Version.Name;

    /// <summary>The serving state, or FAILED_PRECONDITION for a call that needs the model registry.</summary>
    public ServingState RequireState(string method) => State
        ?? throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.FailedPrecondition,
            $"{method} needs the model registry: this server was started over a bare pipeline (start it over a ServingState)"));
}
