using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Sources;

/// <summary>The search surface with a query vector instead of text (an embedding computed elsewhere, in the content space).</summary>
public sealed class QueryVectorTests
{
    [Fact]
    public async Task A_query_vector_is_searched_as_the_same_text_would_be_and_an_items_own_vector_finds_it_first()
    {
        await using var h = await PipelineHarness.CreateAsync();
        const long User = 900_600; // no history: nothing is filtered as seen
        string text = PlantedCatalog.Words[5];
        var fromText = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = User, Surface = "search", QueryText = text, K = 10, NowMs = h.NowMs, Debug = true });

        // The text's own encoding, handed over as a vector: the query source retrieves the same list.
        var vocabulary = h.Models.Content!;
        var vector = new float[vocabulary.Dimension];
        vocabulary.Encode(text, [], [text], vector);
        var fromVector = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = User, Surface = "search", QueryVector = vector, K = 10, NowMs = h.NowMs, Debug = true });
        long[] textList = fromText.Trace!.Stage("source:query")!.ItemIds, vectorList = fromVector.Trace!.Stage("source:query")!.ItemIds;
        Assert.NotEmpty(vectorList);
        Assert.Equal(textList, vectorList);
        Assert.True(fromVector.Items.Count(i => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId)) == 5) >= 8);

        // An item's content row as the query (its scale does not matter: the vector is normalised) finds that item first.
        long target = PlantedCatalog.ItemId(21);
        Assert.True(h.Catalog.Items.TryGetOrdinal(target, out int ordinal));
        float[] row = [.. h.Catalog.Content!.Row(ordinal).ToArray().Select(v => v * 7f)];
        var byRow = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = User, Surface = "search", QueryVector = row, K = 10, NowMs = h.NowMs, Debug = true });
        Assert.Equal(target, byRow.Trace!.Stage("source:query")!.ItemIds[0]);
    }
}
