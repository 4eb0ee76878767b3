using System.Text.RegularExpressions;

namespace RecSys.Engine.Server.Interception;

/// <summary>
/// Turns the argument names the pipeline's exceptions carry into the request fields a client sent: "events[3].ItemId"
/// becomes "events[3].item", "QueryVector" becomes "context.query_vector" in Recommend. A service puts the renames of
/// its call into <see cref="Grpc.Core.ServerCallContext.UserState"/> under <see cref="Key"/>; the common ones are here.
/// </summary>
internal static partial class FieldNames
{
    /// <summary>The UserState key of a call's renames (an IReadOnlyDictionary&lt;string, string&gt;).</summary>
    public static readonly object Key = new();

    private static readonly Dictionary<string, string> s_common = new(StringComparer.Ordinal)
    {
        ["ItemId"] = "item",
        ["UserId"] = "user",
        ["TimestampMs"] = "time",
        ["Type"] = "type",
        ["Value"] = "value",
        ["itemIds"] = "items",
        ["events"] = "events",
    };

    /// <summary>The request field for <paramref name="parameter"/> (renames first, then the common names, indexes kept).</summary>
    public static string Translate(string? parameter, IReadOnlyDictionary<string, string>? renames)
    {
        if (string.IsNullOrEmpty(parameter))
            return "request";
        if (renames is not null && renames.TryGetValue(parameter, out string? renamed))
            return renamed;
        var m = IndexedField().Match(parameter);
        if (m.Success)
        {
            string list = Common(m.Groups[1].Value, renames);
            string leaf = m.Groups[3].Success ? "." + Common(m.Groups[3].Value, renames) : "";
            return $"{list}[{m.Groups[2].Value}]{leaf}";
        }
        return Common(parameter, renames);
    }

    private static string Common(string name, IReadOnlyDictionary<string, string>? renames) =>
        renames is not null && renames.TryGetValue(name, out string? r) ? r : s_common.GetValueOrDefault(name, name);

    [GeneratedRegex(@"^(\w+)\[(\d+)\](?:\.(\w+))?$")]
    private static partial Regex IndexedField();
}
