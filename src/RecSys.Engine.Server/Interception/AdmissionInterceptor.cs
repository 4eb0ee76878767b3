using Grpc.Core;

namespace RecSys.Engine.Server.Interception;

/// <summary>
/// Puts every Recommender and Catalog call through <see cref="AdmissionControl"/>: refused, RESOURCE_EXHAUSTED at once,
/// naming the reason. Health checks, reflection and Admin calls are never refused: an operator must be able to read
/// GetStats (and swap a version) on a server that is shedding load.
/// </summary>
internal sealed class AdmissionInterceptor(AdmissionControl admission) : ServerCallInterceptor
{
    protected override async Task<T> InterceptAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        if (!RecSysMethods.IsAdmitted(context.Method))
            return await call().ConfigureAwait(false);
        var decision = admission.TryEnter();
        if (decision != AdmissionDecision.Admitted)
            throw new RpcException(new Status(StatusCode.ResourceExhausted, Refusal(context.Method, decision)));
        try
        {
            return await call().ConfigureAwait(false);
        }
        finally
        {
            admission.Exit();
        }
    }

    // Only on the refusal path: the admitted path formats nothing.
    private string Refusal(string method, AdmissionDecision decision) => decision == AdmissionDecision.QueueDelay
        ? $"{method}: the server is overloaded: work waits {admission.QueueDelay!.DelayMs:F0} ms in its queue, over the "
          + $"{admission.QueueDelay.MaxDelay.TotalMilliseconds:F0} ms of Server:Admission:MaxQueueDelay; retry with backoff"
        : $"{method}: the server is at its limit of {admission.Limit} concurrent calls (Server:Admission:MaxConcurrentCalls); retry with backoff";
}
