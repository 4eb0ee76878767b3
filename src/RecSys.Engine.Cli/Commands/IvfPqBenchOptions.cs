using System.CommandLine;
using RecSys.Engine.Cli.Bench;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Index.IvfPq;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// The `bench ann` options of IVF-PQ: --nlist --m --rotate shape the index named "ivfpq" and the FAISS peers
/// faiss-ivfpq / faiss-ivfflat (a factory string says its own); --nprobe 1,4,16,64 --refine 0,100 (the sweep) apply to
/// every IVF index, --adc-kernel to ours.
/// </summary>
internal sealed class IvfPqBenchOptions
{
    private static readonly SpecSource FromFlags = SpecSource.Flags(new Dictionary<string, string>
    {
        [nameof(IvfPqOptions.NList)] = "--nlist",
        [nameof(IvfPqOptions.M)] = "--m",
        ["m"] = "--m", // the product quantizer's name for it
    });

    private readonly Option<int> _nlist = new("--nlist") { Description = "IVF-PQ inverted lists.", DefaultValueFactory = _ => 1024 };
    private readonly Option<int> _m = new("--m") { Description = "IVF-PQ sub-spaces (code bytes per vector); must divide the dimension.", DefaultValueFactory = _ => 24 };
    private readonly Option<string> _nprobe = new("--nprobe") { Description = "IVF-PQ lists probed, a comma-separated sweep (one build).", DefaultValueFactory = _ => "1,4,16,64" };
    private readonly Option<string> _refine = new("--refine") { Description = "IVF-PQ exact re-rank depth R, a comma-separated sweep (0 = none).", DefaultValueFactory = _ => "0,100" };
    private readonly Option<bool> _rotate = new("--rotate") { Description = "IVF-PQ random orthogonal rotation before PQ (true|false).", DefaultValueFactory = _ => true };
    private readonly Option<string> _kernel = new("--adc-kernel") { Description = "IVF-PQ table-sum loop: auto | scalar | gather.", DefaultValueFactory = _ => "auto" };

    public static IvfPqBenchOptions Create() => new();

    public void AddTo(Command command)
    {
        command.Options.Add(_nlist);
        command.Options.Add(_m);
        command.Options.Add(_nprobe);
        command.Options.Add(_refine);
        command.Options.Add(_rotate);
        command.Options.Add(_kernel);
    }

    /// <summary>The index named "ivfpq": the spec the flags describe, checked by the options' own rules.</summary>
    public IAnnCandidate CreateCandidate(ParseResult parse) => CreateCandidate(parse, FlagSpec(parse), FromFlags);

    /// <summary>An IVF-PQ index from a factory string, searched with the same sweep.</summary>
    public IAnnCandidate CreateCandidate(ParseResult parse, IvfPqIndexSpec spec) => CreateCandidate(parse, spec, SpecSource.FactoryString);

    /// <summary>
    /// A FAISS peer with the flags' shape (--nlist, and --m --rotate for IVF-PQ) and the same sweep: faiss-ivfpq one row
    /// per (refine, nprobe) as ours, faiss-ivfflat one row per nprobe (nothing to re-rank).
    /// </summary>
    public IAnnCandidate CreateFaissCandidate(ParseResult parse, bool productQuantized, int buildThreads, string library)
    {
        var spec = FlagSpec(parse);
        var (nprobes, refines) = Sweep(parse);
        return productQuantized
            ? FaissCandidate.IvfPq(spec.NList, spec.M, spec.Rotate, refines.SelectMany(r => nprobes.Select(p => (p, r))).ToArray(), buildThreads, library)
            : FaissCandidate.IvfFlat(spec.NList, nprobes, buildThreads, library);
    }

    /// <summary>The spec --nlist --m --rotate describe, checked by the options' own rules.</summary>
    private IvfPqIndexSpec FlagSpec(ParseResult parse)
    {
        var spec = new IvfPqIndexSpec { NList = parse.GetValue(_nlist), M = parse.GetValue(_m), Rotate = parse.GetValue(_rotate) };
        FromFlags.Validate(spec);
        return spec;
    }

    private (List<int> NProbes, List<int> Refines) Sweep(ParseResult parse) =>
        (OptionRules.IntList(parse.GetValue(_nprobe)!, "--nprobe", v => _ = new SearchParameters { NProbe = v }),
         OptionRules.IntList(parse.GetValue(_refine)!, "--refine", v => _ = new SearchParameters { Refine = v }));

    private IvfPqCandidate CreateCandidate(ParseResult parse, IvfPqIndexSpec spec, SpecSource source)
    {
        var (nprobes, refines) = Sweep(parse);
        var kernel = parse.GetValue(_kernel)!.ToLowerInvariant() switch
        {
            "auto" => AdcKernel.Auto,
            "scalar" => AdcKernel.Scalar,
            "gather" => AdcKernel.Avx2Gather,
            var other => throw new CliInputException($"--adc-kernel: unknown kernel '{other}' (expected auto, scalar or gather)"),
        };
        // One row per (refine, nprobe), refine outermost.
        var sweep = refines.SelectMany(r => nprobes.Select(p => new SearchParameters { NProbe = p, Refine = r, MaxDegreeOfParallelism = 1 })).ToArray();
        return new IvfPqCandidate(spec, source, sweep, kernel);
    }
}
