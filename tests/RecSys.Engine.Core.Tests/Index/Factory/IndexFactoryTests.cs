using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.Factory;

/// <summary>Each factory string builds the index it names, with the options it names and the defaults for the rest.</summary>
public class IndexFactoryTests
{
    private const int Dim = 16;

    [Fact]
    public void Flat_builds_the_exact_index()
    {
        using var index = IndexFactory.Create("Flat", Dim, DistanceMetric.Cosine);
        Assert.IsType<FlatIndex>(index);
        Assert.Equal((new FlatIndexSpec().Kind, Dim, DistanceMetric.Cosine), (index.Kind, index.Dimension, index.Metric));
    }

    [Fact]
    public void Hnsw_gets_the_options_the_string_names_and_the_defaults_for_the_rest()
    {
        using var index = IndexFactory.Create("HNSW12,efc50,ef33,bf16", Dim, DistanceMetric.L2);
        var hnsw = Assert.IsType<HnswIndex>(index);
        Assert.Equal("hnsw", index.Kind);
        Assert.Equal(IndexSpec.Parse("HNSW12").Kind, index.Kind);
        var defaults = new HnswOptions();
        Assert.Equal(defaults with { M = 12, EfConstruction = 50, EfSearch = 33, BFloat16Traversal = true }, hnsw.Options);

        using var plain = (HnswIndex)IndexFactory.Create("HNSW16", Dim, DistanceMetric.L2);
        Assert.Equal(defaults, plain.Options); // HNSW16 with efc200 and nothing else is exactly the default index
    }

    [Fact]
    public void Ivfpq_gets_the_options_the_string_names_and_keeps_vectors_only_with_R()
    {
        using var index = IndexFactory.Create("IVF32,PQ4,R25,np5,norot", Dim, DistanceMetric.L2);
        var ivf = Assert.IsType<IvfPqIndex>(index);
        Assert.Equal("ivfpq", index.Kind);
        var defaults = new IvfPqOptions();
        Assert.Equal(defaults with { NList = 32, M = 4, DefaultRefine = 25, StoreVectors = true, DefaultNProbe = 5, Rotate = false }, ivf.Options);

        using var plain = (IvfPqIndex)IndexFactory.Create("IVF32,PQ4", Dim, DistanceMetric.L2);
        Assert.Equal(defaults with { NList = 32, M = 4, DefaultRefine = 0, StoreVectors = false }, plain.Options);
        using var kept = (IvfPqIndex)IndexFactory.Create("IVF32,PQ4,R0", Dim, DistanceMetric.L2);
        Assert.Equal((true, 0), (kept.Options.StoreVectors, kept.Options.DefaultRefine));
    }

    [Fact]
    public void Build_settings_reach_the_options_but_not_the_name()
    {
        var build = new IndexBuildSettings { Threads = 1, AdcKernel = AdcKernel.Scalar };
        using var hnsw = (HnswIndex)IndexFactory.Create(IndexSpec.Parse("HNSW8"), Dim, DistanceMetric.L2, build);
        Assert.Equal(1, hnsw.Options.BuildThreads);
        using var ivf = (IvfPqIndex)IndexFactory.Create(IndexSpec.Parse("IVF8,PQ4"), Dim, DistanceMetric.L2, build);
        Assert.Equal((1, AdcKernel.Scalar), (ivf.Options.MaxDegreeOfParallelism, ivf.Kernel));
    }

    [Theory]
    [InlineData("IVF16,PQ5", "PQ5", "not a multiple of m = 5")]
    [InlineData("IVF16,PQ0", "PQ0", "m")]
    public void A_spec_that_does_not_fit_the_dimension_names_the_token(string text, string token, string reason)
    {
        var e = Assert.Throws<IndexSpecException>(() => IndexFactory.Create(text, Dim, DistanceMetric.L2));
        Assert.Equal(token, e.Token);
        Assert.Equal("m", e.Field);
        Assert.Contains(reason, e.Reason);
        Assert.IsAssignableFrom<ArgumentException>(e.InnerException);
    }

    [Fact]
    public void Errors_that_are_not_the_specs_stay_as_they_were()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IndexFactory.Create("HNSW16", 0, DistanceMetric.L2));
        Assert.Throws<IndexSpecException>(() => IndexFactory.Create("HNSW1", Dim, DistanceMetric.L2));
    }

    [Theory]
    [InlineData("Flat")]
    [InlineData("HNSW8,efc40")]
    [InlineData("HNSW8,efc40,bf16")]
    [InlineData("IVF8,PQ4,R20,np8")]
    public void Every_kind_built_by_the_factory_finds_its_own_rows(string text)
    {
        const int n = 400;
        var rows = VectorTestData.ClusteredRows(5, n, Dim);
        var ids = Enumerable.Range(0, n).Select(i => 10L + i).ToArray();
        // One build thread: the same graph every run, so the test does not depend on insert races.
        using var index = IndexFactory.Create(IndexSpec.Parse(text), Dim, DistanceMetric.L2, new IndexBuildSettings { Threads = 1 });
        Assert.Equal(IndexSpec.Parse(text).Kind, index.Kind);
        if (index is IvfPqIndex ivf)
            ivf.Train(rows);
        index.Add(ids, rows);
        var found = new long[1];
        var d = new float[1];
        int hits = 0;
        for (int i = 0; i < n; i += 20)
        {
            index.Search(rows.AsSpan(i * Dim, Dim), 1, found, d);
            hits += found[0] == ids[i] ? 1 : 0;
        }
        // Exact for Flat and for IVF-PQ with refine over every list; HNSW is approximate, so allow one miss of 20.
        Assert.True(hits >= n / 20 - (index is HnswIndex ? 1 : 0), $"{text}: found {hits} of {n / 20} rows by themselves");
    }
}
