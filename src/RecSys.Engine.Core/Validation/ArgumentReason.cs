namespace RecSys.Engine.Core.Validation;

/// <summary>
/// The reason an <see cref="ArgumentException"/> gives, without the runtime's " (Parameter 'x')" and
/// "Actual value was" lines, so an edge (a CLI option, a request field, a factory-string token) can report the
/// rule's own words under its own name instead of re-wording the rule: "--M: M must be in 2..256 (got 1)".
/// </summary>
public static class ArgumentReason
{
    public static string Of(ArgumentException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        if (e.ParamName is not null)
        {
            int at = message.IndexOf($" (Parameter '{e.ParamName}')", StringComparison.Ordinal);
            if (at >= 0)
                message = message[..at];
        }
        if (e is ArgumentOutOfRangeException { ActualValue: { } actual })
        {
            int at = message.IndexOf(Environment.NewLine, StringComparison.Ordinal);
            if (at >= 0)
                message = message[..at];
            message += $" (got {actual})";
        }
        return message;
    }
}
