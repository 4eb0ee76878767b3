using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index;

/// <summary>One meaning per search parameter: null = the index's default in every index; a bad value is refused where it is made.</summary>
public class SearchParametersTests
{
    private const int Dim = 16;
    private const int N = 3000;
    private const int Queries = 40;
    private const int K = 10;
    private static readonly float[] Rows = VectorTestData.ClusteredRows(11, N, Dim);
    private static readonly float[] QueryRows = VectorTestData.ClusteredRows(12, Queries, Dim);
    private static readonly long[] Ids = Enumerable.Range(0, N).Select(i => (long)i).ToArray();

    [Theory]
    [InlineData(nameof(SearchParameters.Ef), 0)]
    [InlineData(nameof(SearchParameters.Ef), -3)]
    [InlineData(nameof(SearchParameters.NProbe), 0)]
    [InlineData(nameof(SearchParameters.Refine), -1)]
    public void A_bad_value_is_refused_when_the_parameters_are_made_naming_the_field(string field, int value)
    {
        Func<SearchParameters> make = field switch
        {
            nameof(SearchParameters.Ef) => () => new SearchParameters { Ef = value },
            nameof(SearchParameters.NProbe) => () => new SearchParameters { NProbe = value },
            _ => () => new SearchParameters { Refine = value },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => make());
        Assert.Equal(field, e.ParamName);
        Assert.Equal(value, e.ActualValue);
        Assert.Contains($"SearchParameters.{field}", e.Message);
        // `with` goes through the same check.
        Assert.Throws<ArgumentOutOfRangeException>(() => SearchParameters.Default with { Ef = 0 });
    }

    [Fact]
    public void The_smallest_good_values_and_null_are_accepted()
    {
        var p = new SearchParameters { Ef = 1, NProbe = 1, Refine = 0 };
        Assert.Equal((1, 1, 0), (p.Ef, p.NProbe, p.Refine));
        var q = p with { Ef = null, NProbe = null, Refine = null };
        Assert.Equal(SearchParameters.Default, q);
    }

    [Fact]
    public void Hnsw_reads_null_ef_as_its_EfSearch()
    {
        using var index = new HnswIndex(Dim, DistanceMetric.L2, new HnswOptions { M = 8, EfConstruction = 64, EfSearch = 48, BuildThreads = 1 });
        index.Add(Ids, Rows);
        var byDefault = Search(index, SearchParameters.Default);
        AssertSame(byDefault, Search(index, new SearchParameters { Ef = 48 }));
        Assert.NotEqual(byDefault.Ids, Search(index, new SearchParameters { Ef = 1 }).Ids); // ef matters here, so the equality above means something
    }

    [Fact]
    public void Ivfpq_reads_null_as_its_DefaultNProbe_DefaultRefine_and_CoarseGraphEf()
    {
        var options = new IvfPqOptions
        {
            NList = 32, M = 4, DefaultNProbe = 2, DefaultRefine = 20, CoarseGraphMinLists = 1, CoarseGraphM = 8, CoarseGraphEf = 12,
            KMeansIterations = 4, PqIterations = 4, MaxDegreeOfParallelism = 1,
        };
        using var index = new IvfPqIndex(Dim, DistanceMetric.L2, options);
        index.Train(Rows);
        index.Add(Ids, Rows);
        Assert.NotNull(index.CoarseQuantizer!.Graph);

        var byDefault = Search(index, SearchParameters.Default);
        AssertSame(byDefault, Search(index, new SearchParameters { NProbe = 2, Refine = 20, Ef = 12 }));
        AssertSame(byDefault, Search(index, new SearchParameters { NProbe = 2 }));
        // Other values give other answers, so the equalities above are not vacuous.
        Assert.NotEqual(byDefault.Ids, Search(index, new SearchParameters { NProbe = 32 }).Ids);
        Assert.NotEqual(byDefault.Distances, Search(index, new SearchParameters { Refine = 0 }).Distances);
    }

    [Fact]
    public void Flat_ignores_the_approximate_knobs()
    {
        using var index = new FlatIndex(Dim, DistanceMetric.Cosine);
        index.Add(Ids, Rows);
        AssertSame(Search(index, SearchParameters.Default), Search(index, new SearchParameters { Ef = 1, NProbe = 1, Refine = 0 }));
    }

    private static void AssertSame((long[] Ids, float[] Distances) expected, (long[] Ids, float[] Distances) actual)
    {
        Assert.Equal(expected.Ids, actual.Ids);
        Assert.Equal(expected.Distances, actual.Distances);
    }

    private static (long[] Ids, float[] Distances) Search(IVectorIndex index, SearchParameters p)
    {
        var ids = new long[Queries * K];
        var d = new float[Queries * K];
        index.Search(QueryRows, K, ids, d, p);
        return (ids, d);
    }
}
