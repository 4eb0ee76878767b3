namespace RecSys.Engine.Cli.Gen;

/// <summary>What <c>recsys gen catalog</c> generates; checked at the command line (<see cref="Commands.GenCatalogCommand"/>).</summary>
internal sealed record CatalogGenSettings
{
    public required int Items { get; init; }

    public required int Users { get; init; }

    public required int Dimension { get; init; }

    public required ulong Seed { get; init; }

    /// <summary>Events per user in the generated histories.</summary>
    public required int History { get; init; }

    /// <summary>Unix seconds: events and publish times fall before it.</summary>
    public required long EndSeconds { get; init; }

    public required string OutputDirectory { get; init; }

    /// <summary>Versions to write, in order; the first is activated. Each: (version id, factory string of its CF index).</summary>
    public required IReadOnlyList<(string Id, string Spec)> Versions { get; init; }

    /// <summary>Index build threads (-1 = all cores); 1 gives the same graph on every run.</summary>
    public int Threads { get; init; } = -1;

    /// <summary>The learned ranker every version ships (<c>--ranker</c>), or null for rank fusion.</summary>
    public Models.Ranking.RankerKind? Ranker { get; init; }

    /// <summary>
    /// Items and users of the generated sample the ranker is trained on (<c>--ranker-sample</c>; at most the catalog's):
    /// the serving pipeline's own candidates there, labelled by held-out events, as <c>recsys train</c> does.
    /// </summary>
    public int RankerSample { get; init; } = 20_000;

    /// <summary>Items and users the ranker's sample really has: <see cref="RankerSample"/>, at most the catalog's items and users.</summary>
    public int RankerSampleSize => Math.Min(RankerSample, Math.Min(Items, Users));
}
