using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Models.Tests.Ranking;

public sealed class RankingDatasetBuilderTests
{
    [Fact]
    public void Build_LabelsTheSourcesCandidatesByTheHeldOutPart_AndNeverOffersSeenItems()
    {
        InteractionSet all = TestData.Planted(users: 60, items: 80, rank: 4, perUser: 20, seed: 5);
        DataSplit split = Splitter.RandomPerUser(all, 0.75, 17);
        var fit = new TrainingData(split.Train);
        InteractionMatrix heldOut = InteractionMatrix.FromSet(split.Test, binary: true);
        var knn = new ItemKnn(20);
        knn.Fit(fit);
        var popularity = new PopularityModel();
        popularity.Fit(fit);
        var schema = RankingFeatureSchema.Create([], ["itemknn", "trending", "twotower"]);
        var features = new OfflineRankingFeatures(fit, schema);
        var generator = new RankingCandidateGenerator([knn, popularity, null], fit.Matrix, perSource: 15);

        RankingDataset data = RankingDatasetBuilder.Build(features, generator, heldOut, maxDegreeOfParallelism: 3);
        RankingDataset again = RankingDatasetBuilder.Build(features, generator, heldOut, maxDegreeOfParallelism: 1);

        Assert.Equal(data.Features, again.Features); // independent of the thread count
        Assert.Equal(60, data.Queries);
        int f = schema.Count, twotowerRank = schema.IndexOf("source_twotower_inverse_rank"), knnRank = schema.IndexOf("source_itemknn_inverse_rank");
        int positives = 0;
        var scratch = new OfflineRankingScratch(generator, features);
        var assembler = new RankingFeatureAssembler(schema);
        for (int q = 0; q < data.Queries; q++)
        {
            int user = data.QueryUser[q];
            Assert.InRange(data.QueryLength(q), 15, 30);
            Assert.Equal(heldOut.RowLength(user), data.QueryRelevant[q]);
            int n = features.Assemble(user, generator, assembler, scratch);
            ReadOnlySpan<int> items = scratch.Candidates!.CandidateItems;
            ReadOnlySpan<float> sourceScores = scratch.Candidates.SourceScores;
            ReadOnlySpan<int> sourceRanks = scratch.Candidates.SourceRanks;
            // Schema v3: a source with a model scores every candidate (retrieved by it or not); one without reads NaN.
            for (int k = 0; k < sourceRanks.Length; k++)
                Assert.Equal(k >= 2 * n, float.IsNaN(sourceScores[k]));
            Assert.Contains(0, sourceRanks[..n].ToArray()); // item-kNN scores candidates it did not retrieve
            for (int c = 0; c < n; c++)
            {
                Assert.False(fit.Matrix.Contains(user, items[c]), "a seen item was offered");
                Assert.Equal(heldOut.Contains(user, items[c]) ? 1f : 0f, data.QueryLabels(q)[c]);
                Assert.Equal(0f, data.QueryFeatures(q)[c * f + twotowerRank]); // no model: never retrieved
            }
            positives += (int)data.QueryLabels(q).ToArray().Sum();
            Assert.Equal(1f, data.QueryFeatures(q)[knnRank]); // first candidate: item-kNN's top item
        }
        Assert.True(positives > 60, $"only {positives} held-out items among the candidates");
    }

    [Fact]
    public void SplitByQuery_KeepsEveryQueryOnce()
    {
        RankingDataset data = RankingTestData.Planted(20, seed: 1);
        var (train, validation) = data.SplitByQuery(0.25, seed: 3);
        Assert.Equal(5, validation.Queries);
        Assert.Equal(data.Rows, train.Rows + validation.Rows);
        Assert.Empty(train.QueryUser.Intersect(validation.QueryUser));

        var set = data.ToTrainingSet(); // the GBDT trainer's view of the same rows
        Assert.Equal((data.Rows, data.Queries, data.Schema.Count), (set.Rows, set.QueryCount, set.FeatureCount));
        Assert.Equal(data.QueryLength(3), set.GroupSizes.Span[3]);
    }
}
