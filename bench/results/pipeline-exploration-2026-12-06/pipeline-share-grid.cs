#:project ../../../src/RecSys.Engine.Pipeline/RecSys.Engine.Pipeline.csproj
#:property Configuration=Release
#:property JsonSerializerIsReflectionEnabledByDefault=true
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Evaluation;
// The home surface's defaults (rank fusion, least-shown exploration from a pool of 60 at the page's tail) as the MMR
// lambda and the exploration share move. `dotnet run pipeline-share-grid.cs inner|test`: inner = the training part
// split again (random 75/25, seed 43), test = the standard protocol's test part (a report, nothing chosen on it).
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
bool inner = args.Length > 0 && args[0] == "inner";
if (inner) split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
foreach (var mmr in new[] { 1f, 0.7f, 0.5f })
foreach (var share in new[] { 0f, 0.1f, 0.2f, 0.3f })
{
  using var p = new PipelineRecommender(config: m => { var c = PipelineDefaults.Config(m, "eval"); return c with { Surfaces = [.. c.Surfaces.Select(s => s.Name == "home" ? s with { MmrLambda = mmr, ExplorationShare = share } : s)] }; });
  p.Fit(train);
  var r = Evaluator.Evaluate(p, train, test, new EvaluationOptions { K = 10 });
  Console.WriteLine($"{(inner ? "inner" : "test")} mmr {mmr} share {share}: ndcg {r.Ndcg:F4} coverage {r.Coverage:F4} diversity {r.Diversity:F4} novelty {r.Novelty:F3}");
}
