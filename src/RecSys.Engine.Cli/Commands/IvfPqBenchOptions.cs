using System.CommandLine;
using RecSys.Engine.Cli.Bench;
using RecSys.Engine.Core.Index.IvfPq;

namespace RecSys.Engine.Cli.Commands;

/// <summary>The `bench ann` options of the ivfpq index: --nlist --m --nprobe 1,4,16,64 --refine 0,100 --rotate --adc-kernel.</summary>
internal sealed class IvfPqBenchOptions
{
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

    public IAnnCandidate CreateCandidate(ParseResult parse)
    {
        int nlist = parse.GetValue(_nlist);
        if (nlist < 1)
            throw new CliInputException($"--nlist: {nlist} must be at least 1");
        int m = parse.GetValue(_m);
        if (m < 1)
            throw new CliInputException($"--m: {m} must be at least 1");
        var nprobes = ParseList(parse.GetValue(_nprobe)!, "--nprobe", min: 1);
        var refines = ParseList(parse.GetValue(_refine)!, "--refine", min: 0);
        var kernel = parse.GetValue(_kernel)!.ToLowerInvariant() switch
        {
            "auto" => AdcKernel.Auto,
            "scalar" => AdcKernel.Scalar,
            "gather" => AdcKernel.Avx2Gather,
            var other => throw new CliInputException($"--adc-kernel: unknown kernel '{other}' (expected auto, scalar or gather)"),
        };
        return new IvfPqCandidate(nlist, m, nprobes, refines, parse.GetValue(_rotate), kernel);
    }

    private static List<int> ParseList(string text, string option, int min)
    {
        var values = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, out int v) || v < min)
                throw new CliInputException($"{option}: '{part}' is not an integer >= {min}");
            values.Add(v);
        }
        if (values.Count == 0)
            throw new CliInputException($"{option}: give at least one value");
        return values;
    }
}
