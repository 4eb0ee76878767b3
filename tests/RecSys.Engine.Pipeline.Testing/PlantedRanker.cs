using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Sources;

namespace RecSys.Engine.Pipeline.Tests.Support;

/// <summary>
/// A learned ranker for the planted catalog as a registry version ships it: an MLP trained (minibatch Adam, LambdaRank)
/// on rows of a feature schema and exported to ONNX. The rows are synthetic, labelled by the CF score column, so the
/// model learns a real preference in a second; which schema it carries is the caller's (a wrong one for refusals).
/// </summary>
public static class PlantedRanker
{
    /// <summary>The sources the pipeline runs for the planted catalog, as the schema's source block.</summary>
    public static readonly IReadOnlyList<string> Sources =
        [SourceNames.Collaborative, SourceNames.ItemToItem, SourceNames.Content, SourceNames.Trending, SourceNames.Popular, SourceNames.NewItems];

    /// <summary>The schema the pipeline fills for <paramref name="planted"/> (its categories, <see cref="Sources"/>, the default window), or one changed by the arguments.</summary>
    public static RankingFeatureSchema Schema(PlantedCatalog planted, IReadOnlyList<string>? categories = null, IReadOnlyList<string>? sources = null,
        int historyWindow = RankingFeatureSchema.DefaultHistoryWindow) =>
        RankingFeatureSchema.Create(categories ?? planted.Data.Catalog!.DistinctCategories(), sources ?? Sources, historyWindow: historyWindow);

    /// <summary>Trains an MLP of <paramref name="schema"/> and writes it to <paramref name="path"/> (with its schema JSON beside it); returns the path.</summary>
    public static string TrainMlp(RankingFeatureSchema schema, string path, ulong seed = 7)
    {
        const int Queries = 48, PerQuery = 20;
        int f = schema.Count, signal = schema.IndexOf("cf_score_z");
        var rng = new SplitMix64(seed);
        var rows = new float[Queries * PerQuery * f];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = (float)rng.NextGaussian();
        var labels = new float[Queries * PerQuery];
        var start = new int[Queries + 1];
        var users = new int[Queries];
        var relevant = new int[Queries];
        for (int q = 0; q < Queries; q++)
        {
            start[q + 1] = start[q] + PerQuery;
            users[q] = q;
            for (int r = start[q]; r < start[q + 1]; r++)
            {
                labels[r] = rows[r * f + signal] > 0.5f ? 1f : 0f;
                relevant[q] += (int)labels[r];
            }
            relevant[q] = Math.Max(relevant[q], 1);
        }
        var (train, validation) = new RankingDataset(schema, rows, labels, start, users, relevant).SplitByQuery(0.25, seed);
        var result = MlpTrainer.Train(train, validation, new MlpTrainingOptions { Hidden = [16], MaxEpochs = 8, Seed = seed });
        MlpOnnxExporter.Save(result.Model, path);
        return path;
    }
}
