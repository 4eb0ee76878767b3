using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;

namespace RecSys.Engine.Pipeline.PostProcess;

/// <summary>
/// Business rules on scores: exclude (the item drops out: score -infinity), boost and bury (the score moves by
/// (factor - 1) x |score|, which multiplies a positive score by the factor and moves a negative one the same way).
/// Pins are placed later, by <see cref="PinStage"/>.
/// </summary>
public sealed class RuleScoreStage : IPostProcessor
{
    public string Name => "rules";

    public void Process(PostProcessContext context)
    {
        ReadOnlySpan<CompiledRule> rules = context.Rules;
        if (rules.IsEmpty)
            return;
        CandidateSet set = context.Candidates;
        Span<float> scores = set.Scores;
        ReadOnlySpan<long> ids = set.ItemIds;
        ReadOnlySpan<int> ordinals = set.Ordinals;
        var catalog = context.Request.Catalog;
        for (int i = 0; i < scores.Length; i++)
        {
            ReadOnlySpan<int> categories = catalog.CategoriesOf(ordinals[i]);
            foreach (var rule in rules)
            {
                if (rule.Kind == RuleKind.Pin || !rule.Matches(ids[i], categories))
                    continue;
                if (rule.Kind == RuleKind.Exclude)
                {
                    scores[i] = float.NegativeInfinity;
                    break;
                }
                scores[i] += (rule.Factor - 1f) * MathF.Abs(scores[i]);
            }
        }
    }
}
