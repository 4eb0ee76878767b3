using RecSys.Engine.Core.Validation;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// The command line is an edge: a value the user gave is checked there, before any work, by the rule the
/// library owns (SearchParameters, HnswOptions, the model registry ...), and a failure becomes bad input
/// (exit 2) in the rule's own words under the option's name: "--k: k must be at least 1 (got 0)".
/// The inner layers then only assert.
/// </summary>
internal static class OptionRules
{
    public static void Check(string option, Action rule)
    {
        try
        {
            rule();
        }
        catch (ArgumentException e)
        {
            throw new CliInputException($"{option}: {ArgumentReason.Of(e)}");
        }
    }

    public static T Check<T>(string option, Func<T> rule)
    {
        T value = default!;
        Check(option, () => { value = rule(); });
        return value;
    }

    /// <summary>A comma-separated list of whole numbers ("16,32,64"), each passed through <paramref name="rule"/>.</summary>
    public static List<int> IntList(string text, string option, Action<int> rule)
    {
        var values = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, out int v))
                throw new CliInputException($"{option}: '{part}' is not a whole number");
            Check($"{option}: '{part}'", () => rule(v));
            values.Add(v);
        }
        if (values.Count == 0)
            throw new CliInputException($"{option}: give at least one value, e.g. 16,32,64");
        return values;
    }
}
