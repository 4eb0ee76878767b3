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
    public static IReadOnlyList<EvaluationResult> Run(TrainingData train, InteractionMatrix test, IReadOnlyList<string> models,
        ModelSettings settings, int k, Action<string>? log = null)
    {
        foreach (string name in models)
        {
            if (Array.IndexOf(ModelFactory.Names, name) < 0)
                throw new ArgumentException($"unknown model '{name}' (known: {string.Join(", ", ModelFactory.Names)})");
        }
        var needed = new List<string>();
        foreach (string name in models)
        {
            if (name == "blend")
            {
                foreach (var (source, weight) in settings.BlendWeights)
                {
                    if (weight != 0 && !needed.Contains(source))
                        needed.Add(source);
                }
            }
            else if (!needed.Contains(name))
            {
                needed.Add(name);
            }
        }
        var trained = new Dictionary<string, IRecommender>();
        var trainSeconds = new Dictionary<string, double>();
        foreach (string name in needed.OrderBy(n => Array.IndexOf(ModelFactory.Names, n)))
        {
            if (name == "content" && train.Catalog is null)
                throw new InvalidDataException("the content model needs item metadata; this data set has none");
            var model = ModelFactory.Create(name, settings);
            var clock = Stopwatch.StartNew();
            model.Fit(train);
            trainSeconds[name] = clock.Elapsed.TotalSeconds;
            trained[name] = model;
            log?.Invoke($"trained {name} in {clock.Elapsed.TotalSeconds:F2} s ({model.Describe()})");
        }

        float[]? embedding = null;
        int dim = 0;
        if (trained.TryGetValue("als", out var als))
        {
            var a = (ImplicitAls)als;
            embedding = a.ItemFactors.ToArray();
            dim = a.Factors;
        }
        else if (trained.TryGetValue("content", out var content))
        {
            var c = (ContentEncoder)content;
            embedding = c.ItemVectors.ToArray();
            dim = c.Dimension;
        }
        var evalOptions = new EvaluationOptions { K = k, Embedding = embedding, EmbeddingDimension = dim };

        var results = new List<EvaluationResult>();
        foreach (string name in models)
        {
            IRecommender model;
            double seconds;
            if (name == "blend")
            {
                var clock = Stopwatch.StartNew();
                model = ModelFactory.CreateBlend(settings, n => trained[n]);
                model.Fit(train);
                seconds = clock.Elapsed.TotalSeconds + settings.BlendWeights.Where(p => p.Value != 0).Sum(p => trainSeconds[p.Key]);
            }
            else
            {
                model = trained[name];
                seconds = trainSeconds[name];
            }
            var result = Evaluator.Evaluate(model, train, test, evalOptions, seconds);
            log?.Invoke($"evaluated {name}: ndcg@{k} {result.Ndcg:F4} in {result.EvalSeconds:F2} s");
            results.Add(result);
        }
        return results;
    }
}
