#:project /work/main/src/RecSys.Engine.Pipeline/RecSys.Engine.Pipeline.csproj
#:property Configuration=Release
#:property JsonSerializerIsReflectionEnabledByDefault=true
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Evaluation;
// Home exploration: share x pool x impression threshold (least shown, epsilon 0.1, tail placement, MMR 0.7; rank fusion).
// args[0] = inner (the training part split again, seed 43: for choosing) | test (read-out only)
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
if (args[0] == "inner") split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
void Run(string name, int impressions, Func<SurfaceConfig, SurfaceConfig> edit)
{
  using var p = new PipelineRecommender(config: m => { var c = PipelineDefaults.Config(m, "eval") with { ExplorationImpressions = impressions }; return c with { Surfaces = [.. c.Surfaces.Select(s => s.Name == "home" ? edit(s) : s)] }; }, depth: 10);
  p.Fit(train);
  var r = Evaluator.Evaluate(p, train, test, new EvaluationOptions { K = 10 });
  Console.WriteLine($"{args[0]} {name}: ndcg {r.Ndcg:F4} coverage {r.Coverage:F4} div {r.Diversity:F4}");
}
Run("post off", 50, s => s with { MmrLambda = 1, ExplorationShare = 0 });
Run("default", 50, s => s);
Run("mmr 0.7 only", 50, s => s with { ExplorationShare = 0 });
foreach (var share in new[] { 0.05f, 0.075f, 0.1f, 0.15f })
foreach (var pool in new[] { 40, 60, 100 })
foreach (var t in new[] { 1, 2, 5, 50 })
  Run($"share {share} pool {pool} T {t}", t, s => s with { ExplorationShare = share, ExplorationPool = pool });
