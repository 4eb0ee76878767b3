using System.Diagnostics;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;

namespace RecSys.Engine.Models.Evaluation;

/// <summary>
/// Trains the named models on one split and evaluates each on its test part. Every model is trained once;
/// the blend reuses the trained sources. Diversity by embedding uses one embedding for every model (the
/// ALS item factors when ALS ran, else the content vectors) so the column compares models, not embeddings.
/// </summary>
public static class EvalRunner
{
    /// <param name="models">The kinds to evaluate, in the order of the results; names were parsed at the edge (<see cref="ModelKinds.Parse"/>).</param>
    public static IReadOnlyList<EvaluationResult> Run(TrainingData train, InteractionMatrix test, IReadOnlyList<ModelKind> models,
        ModelSettings settings, int k, Action<string>? log = null)
    {
        var needed = new HashSet<ModelKind>();
        foreach (var kind in models)
        {
            if (kind == ModelKind.Blend)
            {
                foreach (var (source, _) in settings.BlendSources())
                    needed.Add(source);
            }
            else
            {
                needed.Add(kind);
            }
        }
        var trained = new Dictionary<ModelKind, IRecommender>();
        var trainSeconds = new Dictionary<ModelKind, double>();
        foreach (var kind in needed.Order())
        {
            if (kind.Info().NeedsItemMetadata && train.Catalog is null)
                throw new InvalidDataException($"the {kind.Name()} model needs item metadata; this data set has none");
            var model = ModelFactory.Create(kind, settings);
            var clock = Stopwatch.StartNew();
            model.Fit(train);
            trainSeconds[kind] = clock.Elapsed.TotalSeconds;
            trained[kind] = model;
            log?.Invoke($"trained {kind.Name()} in {clock.Elapsed.TotalSeconds:F2} s ({model.Describe()})");
        }

        float[]? embedding = null;
        int dim = 0;
        if (trained.TryGetValue(ModelKind.Als, out var als))
        {
            var a = (ImplicitAls)als;
            embedding = a.ItemFactors.ToArray();
            dim = a.Factors;
        }
        else if (trained.TryGetValue(ModelKind.Content, out var content))
        {
            var c = (ContentEncoder)content;
            embedding = c.ItemVectors.ToArray();
            dim = c.Dimension;
        }
        var evalOptions = new EvaluationOptions { K = k, Embedding = embedding, EmbeddingDimension = dim };

        var results = new List<EvaluationResult>();
        foreach (var kind in models)
        {
            IRecommender model;
            double seconds;
            if (kind == ModelKind.Blend)
            {
                var clock = Stopwatch.StartNew();
                model = ModelFactory.CreateBlend(settings, source => trained[source]);
                model.Fit(train);
                seconds = clock.Elapsed.TotalSeconds + settings.BlendSources().Sum(p => trainSeconds[p.Kind]);
            }
            else
            {
                model = trained[kind];
                seconds = trainSeconds[kind];
            }
            var result = Evaluator.Evaluate(model, train, test, evalOptions, seconds);
            log?.Invoke($"evaluated {kind.Name()}: ndcg@{k} {result.Ndcg:F4} in {result.EvalSeconds:F2} s");
            results.Add(result);
        }
        return results;
    }
}
