using RecSys.Engine.Core.Index.Factory;

namespace RecSys.Engine.Core.Tests.Index.Factory;

/// <summary>The factory-string grammar: parse, format, round trip, and errors that name the bad token.</summary>
public class IndexSpecTests
{
    [Theory]
    [InlineData("Flat")]
    [InlineData("HNSW16,efc200")]
    [InlineData("HNSW32,efc100,ef64")]
    [InlineData("HNSW8,efc40,bf16")]
    [InlineData("HNSW32,efc100,ef64,bf16")]
    [InlineData("IVF1024,PQ24")]
    [InlineData("IVF1024,PQ24,R100")]
    [InlineData("IVF256,PQ8,R0")]
    [InlineData("IVF65536,PQ16,R50,np32,norot")]
    public void Canonical_strings_round_trip(string text)
    {
        var spec = IndexSpec.Parse(text);
        Assert.Equal(text, spec.ToString());
        Assert.Equal(spec, IndexSpec.Parse(spec.ToString()));
    }

    [Theory]
    [InlineData("flat", "Flat")]
    [InlineData("hnsw16", "HNSW16,efc200")] // efc is always named; its default fills in
    [InlineData(" HNSW16 , bf16 , EFC64 ", "HNSW16,efc64,bf16")]
    [InlineData("HNSW24,ef10,efc300", "HNSW24,efc300,ef10")]
    [InlineData("ivf64,pq8,NoRot,np4", "IVF64,PQ8,np4,norot")]
    [InlineData("IVF64,PQ8,np4,R7", "IVF64,PQ8,R7,np4")]
    public void Any_case_and_option_order_parses_to_the_canonical_form(string text, string canonical)
    {
        Assert.Equal(canonical, IndexSpec.Parse(text).ToString());
    }

    [Fact]
    public void Specs_built_in_code_survive_format_and_parse()
    {
        IndexSpec[] specs =
        [
            new FlatIndexSpec(),
            new HnswIndexSpec(),
            new HnswIndexSpec { M = 8, EfConstruction = 40, EfSearch = 20, BFloat16Traversal = true },
            new IvfPqIndexSpec(),
            new IvfPqIndexSpec { NList = 4096, M = 32, Refine = 0, NProbe = 1, Rotate = false },
        ];
        foreach (var spec in specs)
            Assert.Equal(spec, IndexSpec.Parse(spec.ToString()));
        // Distinct specs stay distinct through the string (no field is dropped).
        Assert.Equal(specs.Length, specs.Select(s => s.ToString()).Distinct().Count());
    }

    [Fact]
    public void Parse_fills_the_fields_each_token_names()
    {
        var hnsw = Assert.IsType<HnswIndexSpec>(IndexSpec.Parse("HNSW12,efc50,ef33,bf16"));
        Assert.Equal((12, 50, 33, true), (hnsw.M, hnsw.EfConstruction, hnsw.EfSearch, hnsw.BFloat16Traversal));
        var bare = Assert.IsType<HnswIndexSpec>(IndexSpec.Parse("HNSW12"));
        Assert.Null(bare.EfSearch); // null = the index default, as in SearchParameters
        Assert.False(bare.BFloat16Traversal);

        var ivf = Assert.IsType<IvfPqIndexSpec>(IndexSpec.Parse("IVF1024,PQ24,R100,np8,norot"));
        Assert.Equal((1024, 24, 100, 8, false), (ivf.NList, ivf.M, ivf.Refine, ivf.NProbe, ivf.Rotate));
        var plain = Assert.IsType<IvfPqIndexSpec>(IndexSpec.Parse("IVF1024,PQ24"));
        Assert.Equal((null, null, true), (plain.Refine, plain.NProbe, plain.Rotate));
        Assert.IsType<FlatIndexSpec>(IndexSpec.Parse("Flat"));
    }

    [Theory]
    [InlineData("", "", null, "empty token")]
    [InlineData("Annoy", "Annoy", null, "not an index kind")]
    [InlineData("HNSW", "HNSW", null, "whole number")]
    [InlineData("HNSWx16", "HNSWx16", null, "whole number")]
    [InlineData("HNSW99999999999", "HNSW99999999999", null, "too large")]
    [InlineData("HNSW1", "HNSW1", "M", "M must be in 2..256")]
    [InlineData("HNSW300,efc10", "HNSW300", "M", "M must be in 2..256")]
    [InlineData("HNSW16,efc0", "efc0", "EfConstruction", "ef construction")]
    [InlineData("HNSW16,ef0", "ef0", "EfSearch", "ef search")]
    [InlineData("HNSW16,efc100,efc200", "efc200", null, "more than once")]
    [InlineData("HNSW16,PQ8", "PQ8", null, "not an option of HNSW")]
    [InlineData("HNSW16,efc", "efc", null, "not an option of HNSW")]
    [InlineData("HNSW16,,bf16", "", null, "empty token")]
    [InlineData("IVF1024", "IVF1024", null, "followed by PQ<m>")]
    [InlineData("IVF1024,R10", "R10", null, "followed by PQ<m>")]
    [InlineData("IVF0,PQ8", "IVF0", "NList", "NList must be at least 1")]
    [InlineData("IVF64,PQ8,np0", "np0", "DefaultNProbe", "DefaultNProbe must be at least 1")]
    [InlineData("IVF64,PQ8,bf16", "bf16", null, "not an option of IVF-PQ")]
    [InlineData("IVF64,PQ8,norot,norot", "norot", null, "more than once")]
    [InlineData("Flat,ef64", "ef64", null, "Flat takes no options")]
    public void Errors_name_the_bad_token(string text, string token, string? field, string reason)
    {
        var e = Assert.Throws<IndexSpecException>(() => IndexSpec.Parse(text));
        Assert.Equal(token, e.Token);
        Assert.Equal(field, e.Field);
        Assert.Contains(reason, e.Reason);
        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains($"'{token}'", e.Message);
    }

    [Fact]
    public void Validate_applies_the_options_rules_to_a_spec_built_in_code()
    {
        var e = Assert.Throws<IndexSpecException>(() => new HnswIndexSpec { M = 1 }.Validate());
        Assert.Equal(("HNSW1", "M"), (e.Token, e.Field));
        e = Assert.Throws<IndexSpecException>(() => new IvfPqIndexSpec { NList = 16, M = 4, Refine = -1 }.Validate());
        Assert.Equal(("R-1", "DefaultRefine"), (e.Token, e.Field));
        new HnswIndexSpec { M = 2 }.Validate();
        new IvfPqIndexSpec { NList = 1, M = 1, Refine = 0 }.Validate();
    }

    [Theory]
    [InlineData("Flat", true)]
    [InlineData("hnsw16", true)]
    [InlineData("IVF1024", true)]
    [InlineData("HNSW", false)]
    [InlineData("efc200", false)]
    [InlineData("PQ24", false)]
    [InlineData("ivfpq", false)]
    public void StartsSpec_tells_a_kind_token_from_an_option(string token, bool starts)
    {
        Assert.Equal(starts, IndexSpec.StartsSpec(token));
    }
}
