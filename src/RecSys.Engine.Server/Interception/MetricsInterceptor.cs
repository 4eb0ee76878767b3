using System.Diagnostics;
using Grpc.Core;
using RecSys.Engine.Server.Metrics;

namespace RecSys.Engine.Server.Interception;

/// <summary>The outermost interceptor: every call, refused or not, is counted with its final status and latency.</summary>
internal sealed class MetricsInterceptor(ServerMetrics metrics) : ServerCallInterceptor
{
    protected override async Task<T> InterceptAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        long start = Stopwatch.GetTimestamp();
        var status = StatusCode.Unknown;
        try
        {
            var result = await call().ConfigureAwait(false);
            status = StatusCode.OK;
            return result;
        }
        catch (RpcException e)
        {
            status = e.StatusCode;
            throw;
        }
        finally
        {
            metrics.RecordCall(context.Method, status, start);
        }
    }
}
