using Grpc.Core;

namespace RecSys.Engine.Server.Interception;

/// <summary>Puts every recsys.v1 call through <see cref="AdmissionControl"/>: past the limit, RESOURCE_EXHAUSTED at once.</summary>
internal sealed class AdmissionInterceptor(AdmissionControl admission) : ServerCallInterceptor
{
    protected override async Task<T> InterceptAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        if (!RecSysMethods.IsRecSys(context.Method))
            return await call().ConfigureAwait(false);
        if (!admission.TryEnter())
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"{context.Method}: the server is at its limit of {admission.Limit} concurrent calls (Server:Admission:MaxConcurrentCalls); retry with backoff"));
        }
        try
        {
            return await call().ConfigureAwait(false);
        }
        finally
        {
            admission.Exit();
        }
    }
}
