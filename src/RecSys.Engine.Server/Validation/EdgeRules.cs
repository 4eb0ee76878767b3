using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.Server.Validation;

/// <summary>
/// The request rules the edge checks itself (the pipeline checks its own: surface, k, query vector, events): ids,
/// string and list sizes, timestamps, vectors. Every refusal is INVALID_ARGUMENT whose message starts with the
/// request field, as the client spells it ("events[3].user: empty id").
/// </summary>
internal sealed class EdgeRules(RequestLimits limits)
{
    public RequestLimits Limits { get; } = limits;

    public static RpcException Invalid(string field, string reason) => new(new Status(StatusCode.InvalidArgument, $"{field}: {reason}"));

    /// <summary>INVALID_ARGUMENT naming <paramref name="field"/>, with the reason an inner layer's argument check gave.</summary>
    public static RpcException Invalid(string field, ArgumentException e) => Invalid(field, Reason(e));

    /// <summary>The exception's message without the " (Parameter 'x')" suffix .NET appends, on one line.</summary>
    public static string Reason(ArgumentException e)
    {
        string message = e.Message;
        if (e.ParamName is not null)
            message = message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
        return message.ReplaceLineEndings(" ").Trim();
    }

    public static RpcException NotFound(string field, string reason) => new(new Status(StatusCode.NotFound, $"{field}: {reason}"));

    /// <summary>The int64 key of a required id (a string id through <see cref="CatalogIdMap.KeyOf"/>).</summary>
    public long Key(Id? id, string field)
    {
        string? text = Text(id, field);
        return text is null ? id!.Num : CatalogIdMap.KeyOf(text);
    }

    /// <summary>The string of a required string id, or null for a number (or a string that is a number's canonical text).</summary>
    public string? Text(Id? id, string field)
    {
        switch (id?.KindCase ?? Id.KindOneofCase.None)
        {
            case Id.KindOneofCase.Num:
                return null;
            case Id.KindOneofCase.Str:
                string s = id!.Str;
                if (s.Length == 0)
                    throw Invalid(field, "empty id");
                if (s.Length > Limits.MaxIdLength)
                    throw Invalid(field, $"id of {s.Length} characters; at most {Limits.MaxIdLength} (Server:Limits:MaxIdLength)");
                return s;
            default:
                throw Invalid(field, "required (an id: 'num' int64 or 'str' string)");
        }
    }

    /// <summary>An optional string field: at most MaxStringLength characters; empty = <paramref name="fallback"/>.</summary>
    public string String(string value, string field, string fallback = "")
    {
        if (value.Length > Limits.MaxStringLength)
            throw Invalid(field, $"{value.Length} characters; at most {Limits.MaxStringLength} (Server:Limits:MaxStringLength)");
        return value.Length == 0 ? fallback : value;
    }

    /// <summary>A list of strings: at most MaxListLength entries, each non-empty and within MaxStringLength.</summary>
    public string[] Strings(RepeatedField<string> values, string field)
    {
        Count(values.Count, field, Limits.MaxListLength, "Server:Limits:MaxListLength");
        var result = new string[values.Count];
        for (int i = 0; i < result.Length; i++)
        {
            if (values[i].Length == 0)
                throw Invalid($"{field}[{i}]", "empty");
            result[i] = String(values[i], $"{field}[{i}]");
        }
        return result;
    }

    /// <summary>Refuses a list longer than <paramref name="max"/> (the message names the limit's key).</summary>
    public static void Count(int count, string field, int max, string limitKey)
    {
        if (count > max)
            throw Invalid(field, $"{count} entries; at most {max} per call ({limitKey})");
    }

    /// <summary>Unix milliseconds of an optional timestamp (null when unset); a negative or malformed one is refused.</summary>
    public static long? UnixMs(Timestamp? time, string field)
    {
        if (time is null)
            return null;
        if (time.Seconds < 0 || time.Seconds > 253_402_300_799 || time.Nanos is < 0 or > 999_999_999)
            throw Invalid(field, $"must be a time from 1970 to 9999 (seconds {time.Seconds}, nanos {time.Nanos})");
        return time.Seconds * 1000 + time.Nanos / 1_000_000;
    }

    /// <summary>A vector of exactly <paramref name="dimension"/> finite values.</summary>
    public static float[] Vector(RepeatedField<float> values, int dimension, string field)
    {
        if (values.Count != dimension)
            throw Invalid(field, $"has {values.Count} values; the space has {dimension}");
        return Finite(values, field);
    }

    /// <summary>A non-empty vector of finite values (its length is the receiver's to check).</summary>
    public static float[] Finite(RepeatedField<float> values, string field)
    {
        if (values.Count == 0)
            throw Invalid(field, "empty");
        var v = new float[values.Count];
        values.CopyTo(v, 0);
        int bad = v.AsSpan().IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
            throw Invalid(field, $"value [{bad}] is {v[bad]}; every value must be finite");
        return v;
    }

    /// <summary>The request's filters as the pipeline takes them (null when there are none).</summary>
    public RequestFilters? Filters(Filters? filters, string field)
    {
        if (filters is null)
            return null;
        var result = new RequestFilters
        {
            IncludeCategories = Strings(filters.IncludeCategories, field + ".include_categories"),
            ExcludeCategories = Strings(filters.ExcludeCategories, field + ".exclude_categories"),
            AllowItems = filters.AllowItems.Count == 0 ? null : Keys(filters.AllowItems, field + ".allow_items"),
            DenyItems = Keys(filters.DenyItems, field + ".deny_items"),
        };
        return result.IsEmpty ? null : result;
    }

    private long[] Keys(RepeatedField<Id> ids, string field)
    {
        Count(ids.Count, field, Limits.MaxListLength, "Server:Limits:MaxListLength");
        var keys = new long[ids.Count];
        for (int i = 0; i < keys.Length; i++)
            keys[i] = Key(ids[i], $"{field}[{i}]");
        return keys;
    }
}
