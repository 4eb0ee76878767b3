#:project ../../../src/RecSys.Engine.Pipeline/RecSys.Engine.Pipeline.csproj
#:property Configuration=Release
#:property JsonSerializerIsReflectionEnabledByDefault=true
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Evaluation;
// The home surface's defaults with ExplorationEpsilon moving (the share of least-shown slots drawn uniformly from the
// pool instead): what a non-zero logged propensity costs.
// `dotnet run pipeline-epsilon.cs inner|test`: inner = the training part split again (random 75/25, seed 43).
var split = Splitter.RandomPerUser(MovieLens100KLoader.Load("/work/shared/datasets/ml-100k"), 0.75, 42);
bool inner = args.Length > 0 && args[0] == "inner";
if (inner) split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
foreach (var epsilon in new[] { 0f, 0.1f, 0.25f, 1f })
{
  using var p = new PipelineRecommender(config: m => { var c = PipelineDefaults.Config(m, "eval"); return c with { Surfaces = [.. c.Surfaces.Select(s => s.Name == "home" ? s with { ExplorationEpsilon = epsilon } : s)] }; });
  p.Fit(train);
  var r = Evaluator.Evaluate(p, train, test, new EvaluationOptions { K = 10 });
  Console.WriteLine($"{(inner ? "inner" : "test")} epsilon {epsilon}: ndcg {r.Ndcg:F4} coverage {r.Coverage:F4}");
}
