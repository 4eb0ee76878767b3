using Grpc.Core;
using Microsoft.Extensions.Logging;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Server.Validation;

namespace RecSys.Engine.Server.Interception;

/// <summary>
/// The last stop before a service method: whatever it throws leaves as a status that says what was wrong, never as a
/// crash or a stack trace:
/// <code>
///   RpcException                        as thrown (the edge's own checks)
///   UnknownItemException                NOT_FOUND          "events[2].item: unknown item 77"
///   ArgumentException (and OutOfRange)  INVALID_ARGUMENT   "k: k must be in 1..200 on surface 'home' ..."
///   OperationCanceledException          DEADLINE_EXCEEDED when the call's deadline passed, else CANCELLED
///   anything else                       INTERNAL, logged with the method (the message does not leak internals)
/// </code>
/// </summary>
internal sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : ServerCallInterceptor
{
    protected override async Task<T> InterceptAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw ToRpc(e, context);
        }
    }

    private RpcException ToRpc(Exception e, ServerCallContext context)
    {
        var renames = context.UserState.TryGetValue(FieldNames.Key, out object? r) ? r as IReadOnlyDictionary<string, string> : null;
        switch (e)
        {
            case UnknownItemException unknown:
                string field = FieldNames.Translate(unknown.Field, renames);
                return new RpcException(new Status(StatusCode.NotFound, $"{field}: unknown item {unknown.ItemId}"));
            case ArgumentException argument:
                string name = FieldNames.Translate(argument.ParamName, renames);
                return EdgeRules.Invalid(name, argument);
            case OperationCanceledException when context.Deadline <= DateTime.UtcNow:
                return new RpcException(new Status(StatusCode.DeadlineExceeded, $"{context.Method}: the deadline passed before the call finished"));
            case OperationCanceledException:
                return new RpcException(new Status(StatusCode.Cancelled, $"{context.Method}: cancelled"));
            default:
                LogFailure(logger, context.Method, e);
                return new RpcException(new Status(StatusCode.Internal, $"{context.Method} failed on the server ({e.GetType().Name}); the server log has the details"));
        }
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Error, Message = "{Method} failed")]
    private static partial void LogFailure(ILogger logger, string method, Exception error);
}
