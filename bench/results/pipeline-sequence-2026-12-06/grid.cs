#:project /work/main/src/RecSys.Engine.Pipeline/RecSys.Engine.Pipeline.csproj
#:property Configuration=Release
#:property JsonSerializerIsReflectionEnabledByDefault=true
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Evaluation;
// The sequence source on the home surface (rank fusion): its weight and seed count, post-processing off.
// args[0] = inner (the training part split again, seed 43: for choosing) | test; args[1] = random | temporal
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
bool temporal = args.Length > 1 && args[1] == "temporal";
var split = temporal ? Splitter.TemporalLastN(all, 10) : Splitter.RandomPerUser(all, 0.75, 42);
bool inner = args[0] == "inner";
if (inner) split = temporal ? Splitter.TemporalLastN(split.Train, 10) : Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
string tag = $"{args[0]} {(temporal ? "temporal" : "random")}";
void Run(string name, int seeds, Func<SurfaceConfig, SurfaceConfig> edit)
{
  using var p = new PipelineRecommender(config: m => { var c = PipelineDefaults.Config(m, "eval") with { SequenceSeeds = seeds }; return c with { Surfaces = [.. c.Surfaces.Select(s => s.Name == "home" ? edit(s) : s)] }; }, depth: 10);
  p.Fit(train);
  var r = Evaluator.Evaluate(p, train, test, new EvaluationOptions { K = 10 });
  Console.WriteLine($"{tag} {name}: ndcg {r.Ndcg:F4} coverage {r.Coverage:F4} div {r.Diversity:F4}");
}
SurfaceConfig Off(SurfaceConfig s) => s with { MmrLambda = 1, CategoryCap = 0, ExplorationShare = 0 };
SurfaceConfig With(SurfaceConfig s, float w) => w == 0 ? s : s with { Sources = [.. s.Sources, new SourceConfig("sequence", 100, PipelineDefaults.SourceBudget, Weight: w)] };
Run("off, no sequence", 10, Off);
foreach (var seeds in new[] { 10, 30, 100 })
foreach (var w in new[] { 0.1f, 0.2f, 0.35f, 0.5f, 0.75f, 1f })
  Run($"off, sequence w {w} seeds {seeds}", seeds, s => Off(With(s, w)));
