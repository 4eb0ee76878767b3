using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;

namespace RecSys.Engine.Pipeline.PostProcess;

/// <summary>
/// Pins: each pinned item goes to its position (in rule order), whether or not a source found it, unless it may
/// not be shown (deleted, blocked, outside the request's filters, seen by the user or already sent on a surface that
/// filters those, or excluded by a rule); the list is then cut to k. A pinned item that no source found is reported
/// with the source "rule".
/// </summary>
public sealed class PinStage : IPostProcessor
{
    public string Name => "pins";

    public void Process(PostProcessContext context)
    {
        ReadOnlySpan<CompiledRule> rules = context.Rules;
        var request = context.Request;
        CandidateSet set = context.Candidates;
        foreach (var rule in rules)
        {
            if (rule.Kind != RuleKind.Pin || rule.ItemId is not { } itemId || !request.Catalog.Items.TryGetOrdinal(itemId, out int ordinal))
                continue;
            // Allows, not only the hard filters: "seen items never return" holds for pins too (a promotion the user
            // has already clicked, an item an email already sent).
            if (!request.Allows(ordinal) || IsExcluded(rules, itemId, request.Catalog.CategoriesOf(ordinal)))
                continue;
            int candidate = set.IndexOf(ordinal);
            if (candidate < 0)
                candidate = set.GetOrAdd(ordinal, itemId);
            if (candidate < 0)
                continue;
            int at = context.Ranked.IndexOf(candidate);
            if (at >= 0)
                context.Ranked.RemoveAt(at);
            float score = context.Ranked.Count > 0 ? context.Ranked.Score(0) : set.Scores[candidate];
            context.Ranked.InsertPinned(rule.Position, candidate, score);
        }
        context.Ranked.Truncate(request.K);
    }

    private static bool IsExcluded(ReadOnlySpan<CompiledRule> rules, long itemId, ReadOnlySpan<int> categories)
    {
        foreach (var rule in rules)
        {
            if (rule.Kind == RuleKind.Exclude && rule.Matches(itemId, categories))
                return true;
        }
        return false;
    }
}
