using Grpc.Core;
using Grpc.Core.Interceptors;

namespace RecSys.Engine.Server.Interception;

/// <summary>
/// An interceptor written once for the four kinds of call: unary, client, server and duplex streaming all go
/// through <see cref="InterceptAsync{T}"/>, which wraps the rest of the chain. The server's edge is a stack of these:
/// <code>
///   metrics (every call: count, latency, status) -> API key and role -> admission (concurrency limit)
///     -> errors (pipeline exceptions -> status codes naming the field) -> the service method
/// </code>
/// </summary>
internal abstract class ServerCallInterceptor : Interceptor
{
    /// <summary>Runs <paramref name="call"/> (the rest of the chain) for the call <paramref name="context"/> describes.</summary>
    protected abstract Task<T> InterceptAsync<T>(ServerCallContext context, Func<Task<T>> call);

    public sealed override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation) =>
        InterceptAsync(context, () => continuation(request, context));

    public sealed override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        InterceptAsync(context, () => continuation(requestStream, context));

    public sealed override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        InterceptAsync(context, async () =>
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return true;
        });

    public sealed override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        InterceptAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            return true;
        });
}
