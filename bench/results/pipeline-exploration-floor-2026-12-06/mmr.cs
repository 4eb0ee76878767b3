#:project /work/main/src/RecSys.Engine.Pipeline/RecSys.Engine.Pipeline.csproj
#:property Configuration=Release
#:property JsonSerializerIsReflectionEnabledByDefault=true
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Evaluation;
// Home MMR lambda with the exploration floor (share 0.1, pool 60, floor 1, epsilon 0.1; rank fusion).
// args[0] = inner (the training part split again, seed 43: for choosing) | test (read-out only)
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
if (args[0] == "inner") split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
foreach (var mmr in new[] { 1f, 0.9f, 0.8f, 0.7f, 0.6f, 0.5f })
{
  using var p = new PipelineRecommender(config: m => { var c = PipelineDefaults.Config(m, "eval"); return c with { Surfaces = [.. c.Surfaces.Select(s => s.Name == "home" ? s with { MmrLambda = mmr } : s)] }; }, depth: 10);
  p.Fit(train);
  var r = Evaluator.Evaluate(p, train, test, new EvaluationOptions { K = 10 });
  Console.WriteLine($"{args[0]} mmr {mmr}: ndcg {r.Ndcg:F4} coverage {r.Coverage:F4} div {r.Diversity:F4}");
}
