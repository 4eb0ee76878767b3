#:project ../../../src/RecSys.Engine.Pipeline/RecSys.Engine.Pipeline.csproj
#:property Configuration=Release
#:property JsonSerializerIsReflectionEnabledByDefault=true
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Evaluation;
// Run at commit de7ea34, whose home surface still had the old weights (item-to-item 0.2, the rest 0.1): "side x0.1"
// is the weights the defaults have since. At a later commit, drop Light(). `dotnet run pipeline-grid.cs inner|test`.
// args[0] = inner (the training part split again, seed 43: for choosing) | test
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
bool inner = args.Length > 0 && args[0] == "inner";
if (inner) split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
void Run(string name, Func<SurfaceConfig, SurfaceConfig> edit)
{
  using var p = new PipelineRecommender(config: m => { var c = PipelineDefaults.Config(m, "eval"); return c with { Surfaces = [.. c.Surfaces.Select(s => s.Name == "home" ? edit(s) : s)] }; }, depth: 10);
  p.Fit(train);
  var r = Evaluator.Evaluate(p, train, test, new EvaluationOptions { K = 10 });
  Console.WriteLine($"{(inner ? "inner" : "test")} {name}: ndcg {r.Ndcg:F4} coverage {r.Coverage:F4} div {r.Diversity:F4}");
}
SurfaceConfig Off(SurfaceConfig s) => s with { MmrLambda = 1, CategoryCap = 0, ExplorationShare = 0 };
SurfaceConfig Light(SurfaceConfig s, float f) => s with { Sources = [.. s.Sources.Select(x => x.Name == "collaborative" ? x : x with { Weight = x.Weight * f })] };
Run("default off", Off);
Run("default on (0.7, cap 3, 0.1 uniform)", s => s);
foreach (var f in new[] { 0.1f }) Run($"side x{f} off", s => Off(Light(s, f)));
foreach (var mmr in new[] { 1f, 0.7f })
foreach (var cap in new[] { 0, 3 })
foreach (var pool in new[] { 40, 60, 100 })
  Run($"side x0.1 mmr {mmr} cap {cap} least-shown pool {pool} at 8+", s => Light(s, 0.1f) with { MmrLambda = mmr, CategoryCap = cap, ExplorationShare = 0.1f, ExplorationPick = ExplorationPick.LeastShown, ExplorationPool = pool, ExplorationFirstPosition = 8 });
