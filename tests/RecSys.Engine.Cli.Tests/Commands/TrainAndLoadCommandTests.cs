using System.Globalization;
using System.Text.RegularExpressions;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>`recsys train` writes a version the registry opens; `recsys load` adds embeddings to it, and refuses a bad row naming file, row and field.</summary>
public sealed partial class TrainAndLoadCommandTests : IDisposable
{
    private const int ItemCount = 40;
    private const int Dimension = 4;
    private readonly TempDirectory _dir = new("recsys-train-load");

    public void Dispose() => _dir.Dispose();

    private string Registry => Path.Combine(_dir.Path, "registry");

    /// <summary>30 users x 12 items each over item ids 100..139.</summary>
    private string WriteInteractions()
    {
        string path = _dir.File("events.csv");
        var lines = new List<string> { "user,item,value,timestamp" };
        for (int u = 0; u < 30; u++)
            for (int i = 0; i < 12; i++)
                lines.Add($"u{u},{100 + (u * 7 + i * 3) % ItemCount},1,{1000 + i}");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>A version without a learned ranker unless <paramref name="ranker"/> names one (the load tests need none).</summary>
    private void Train(string id, string ranker = "none")
    {
        var (code, stdout, stderr) = CommandRun.Run(TrainCommand.Create(), "train", "--data", WriteInteractions(), "--format", "csv",
            "--registry", Registry, "--id", id, "--factors", "8", "--iterations", "3", "--cf-index", "HNSW8,efc40", "--ranker", ranker,
            "--ranker-gate", "off"); // the shipping path, whatever rank fusion scores on these few users
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains($"wrote version '{id}'", stdout);
    }

    private static string Row(long id, params float[] values) =>
        string.Join(",", [id.ToString(CultureInfo.InvariantCulture), .. values.Select(v => v.ToString(CultureInfo.InvariantCulture))]);

    [Fact]
    public void Train_WritesAVersionWithItsMlpRanker_ThatTheRegistryOpensThroughOnnxRuntime()
    {
        Train("t1", ranker: "mlp");
        var version = ModelRegistry.Open(Registry).Get("t1");
        Assert.Equal(ItemCount, version.Manifest.Items);
        Assert.Contains("als", version.Manifest.Models.Keys);
        Assert.Equal("HNSW8,efc40", version.Manifest.Indexes["cf"].Spec);
        Assert.NotNull(version.Manifest.Ranker);
        // Opening checks every file's SHA-256, maps the indexes and loads the ranker as the server does: the version is servable.
        using var loaded = VersionLoader.Load(version, new VersionLoadOptions { RankerLoader = CpuRankers });
        Assert.Equal(ItemCount, loaded.Items.Count);
        Assert.Equal("onnx-mlp", loaded.Ranker?.Name);
    }

    [Fact]
    public void Train_WithTheGate_ShipsTheRankerExactlyWhenItBeatsRankFusion_AndRecordsBoth()
    {
        var (code, stdout, stderr) = CommandRun.Run(TrainCommand.Create(), "train", "--data", WriteInteractions(), "--format", "csv",
            "--registry", Registry, "--id", "g1", "--factors", "8", "--iterations", "3", "--cf-index", "HNSW8,efc40", "--ranker", "mlp");
        Assert.True(code == 0, stderr + stdout);
        var line = Regex.Match(stdout, @"validation NDCG@10 ([\d.]+), rank fusion ([\d.]+)(; not shipped)?");
        Assert.True(line.Success, stdout);
        var version = ModelRegistry.Open(Registry).Get("g1");
        double ranker = version.Manifest.Metrics["ranker_validation_ndcg@10"], fusion = version.Manifest.Metrics["rank_fusion_validation_ndcg@10"];
        Assert.Equal(line.Groups[1].Value, ranker.ToString("F3", CultureInfo.InvariantCulture));
        Assert.Equal(line.Groups[2].Value, fusion.ToString("F3", CultureInfo.InvariantCulture));
        Assert.Equal(ranker > fusion, version.Manifest.Ranker is not null);
        Assert.Equal(ranker <= fusion, line.Groups[3].Success);
    }

    [Fact]
    public void Train_ABadRankerGate_IsExit2_NamingTheOption()
    {
        var (code, _, stderr) = CommandRun.Run(TrainCommand.Create(), "train", "--data", WriteInteractions(), "--format", "csv", "--registry", Registry, "--ranker-gate", "maybe");
        Assert.Equal(2, code);
        Assert.Contains("--ranker-gate must be on or off (got 'maybe')", stderr);
        Assert.Empty(ModelRegistry.Open(Registry).List());
    }

    [Fact]
    public void Train_SequenceNeighborsZero_WritesAVersionWithoutTheSequenceModel_ThatStillLoads()
    {
        Train("with");
        var (code, stdout, stderr) = CommandRun.Run(TrainCommand.Create(), "train", "--data", WriteInteractions(), "--format", "csv",
            "--registry", Registry, "--id", "without", "--factors", "8", "--iterations", "3", "--cf-index", "HNSW8,efc40", "--ranker", "none",
            "--sequence-neighbors", "0");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("popularity, trending; building", stderr); // the progress line names no sequence model
        var registry = ModelRegistry.Open(Registry);
        Assert.Contains("sequence", registry.Get("with").Manifest.Models.Keys);
        var without = registry.Get("without");
        Assert.DoesNotContain("sequence", without.Manifest.Models.Keys);
        Assert.Contains("als", without.Manifest.Models.Keys);
        using var loaded = VersionLoader.Load(without, new VersionLoadOptions { RankerLoader = CpuRankers });
        Assert.Null(loaded.Models.Sequence);
        Assert.NotNull(loaded.Models.Als);
    }

    [Fact]
    public void Train_NegativeSequenceNeighbors_IsExit2_NamingTheOption()
    {
        var (code, _, stderr) = CommandRun.Run(TrainCommand.Create(), "train", "--data", WriteInteractions(), "--format", "csv", "--registry", Registry, "--sequence-neighbors", "-1");
        Assert.Equal(2, code);
        Assert.Contains("--sequence-neighbors must be >= 0 (got -1)", stderr);
        Assert.Empty(ModelRegistry.Open(Registry).List());
    }

    [Fact]
    public void Train_AnUnknownRanker_IsExit2_NamingTheOption()
    {
        var (code, _, stderr) = CommandRun.Run(TrainCommand.Create(), "train", "--data", WriteInteractions(), "--format", "csv", "--registry", Registry, "--ranker", "forest");
        Assert.Equal(2, code);
        Assert.Contains("--ranker must be mlp, gbdt or none (got 'forest')", stderr);
        Assert.Empty(ModelRegistry.Open(Registry).List());
    }

    private static readonly RecSys.Engine.Ranking.Onnx.OnnxRankerLoader CpuRankers =
        new(new RecSys.Engine.Ranking.Onnx.OnnxRankerOptions { ExecutionProvider = RecSys.Engine.Ranking.Onnx.OnnxExecutionProvider.Cpu });

    [Fact]
    public async Task TrainWithStore_SeedsAndActivates_SoAServingStateOpensIt()
    {
        string store = Path.Combine(_dir.Path, "store");
        var (code, stdout, stderr) = CommandRun.Run(TrainCommand.Create(), "train", "--data", WriteInteractions(), "--format", "csv",
            "--registry", Registry, "--id", "first", "--factors", "8", "--iterations", "3", "--store", store, "--ranker-gate", "off");
        Assert.True(code == 0, stderr + stdout);
        Assert.Equal("first", ModelRegistry.Open(Registry).ActiveId);
        // What `recsys serve` does at start: open the active version over the store.
        // Generous source budgets: a shared test machine must not drop a source (and empty the answer) by timing.
        var options = new ServingStateOptions
        {
            Config = models => PipelineDefaults.Config(models).WithSourceBudget(TimeSpan.FromSeconds(10)),
            Load = new VersionLoadOptions { RankerLoader = CpuRankers },
        };
        await using var state = await ServingState.OpenAsync(Registry, store, options);
        Assert.Equal("first", state.ActiveVersionId);
        var answer = await state.Pipeline.RecommendAsync(new RecommendRequest { UserId = CatalogIdMap.KeyOf("u0"), K = 5, NowMs = 2_000_000 });
        Assert.NotEmpty(answer.Items);
        Assert.Equal("onnx-mlp", answer.Ranker); // the default --ranker, trained and served

        // A second version cannot seed the store again.
        var second = CommandRun.Run(TrainCommand.Create(), "train", "--data", WriteInteractions(), "--format", "csv", "--registry", Registry, "--store", store);
        Assert.Equal(2, second.Code);
        Assert.Contains("--store: registry", second.Stderr);
    }

    [Fact]
    public void TrainActivate_PointsActiveAtTheVersion()
    {
        var (code, _, stderr) = CommandRun.Run(TrainCommand.Create(), "train", "--data", WriteInteractions(), "--format", "csv",
            "--registry", Registry, "--id", "a1", "--factors", "8", "--iterations", "3", "--activate", "--ranker", "none");
        Assert.True(code == 0, stderr);
        Assert.Equal("a1", ModelRegistry.Open(Registry).ActiveId);
        Assert.Null(ModelRegistry.Open(Registry).Get("a1").Manifest.Ranker); // --ranker none: served by rank fusion
    }

    [Fact]
    public void Train_AnIdTakenAlready_IsExit2()
    {
        Train("t1");
        var (code, _, stderr) = CommandRun.Run(TrainCommand.Create(), "train", "--data", WriteInteractions(), "--format", "csv", "--registry", Registry, "--id", "t1");
        Assert.Equal(2, code);
        Assert.Contains("--id: registry", stderr);
    }

    [Fact]
    public void LoadCsv_MakesAChildVersionWithTheEmbeddingSet()
    {
        Train("base");
        string csv = _dir.File("emb.csv");
        File.WriteAllLines(csv, ["id,a,b,c,d", .. Enumerable.Range(0, ItemCount).Select(i => Row(100 + i, 1, i, 2, -i))]);
        var (code, stdout, stderr) = CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--file", csv, "--name", "img", "--base", "base", "--id", "withimg", "--index", "Flat");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains($"{ItemCount} rows read, {ItemCount} taken, 0 skipped", stdout);
        var version = ModelRegistry.Open(Registry).Get("withimg");
        Assert.Equal("base", version.Manifest.Parent);
        var set = Assert.Single(version.Manifest.Embeddings);
        Assert.Equal(("img", Dimension, ItemCount), (set.Name, set.Dimension, set.Count));
    }

    [Fact]
    public void LoadFvecs_TakesIdsFromTheIdFile()
    {
        Train("base");
        string fvecs = _dir.File("emb.fvecs");
        using (var writer = new FvecsWriter(fvecs, Dimension))
        {
            for (int i = 0; i < 3; i++)
                writer.Append([1, i, 0, 1]);
        }
        File.WriteAllLines(_dir.File("ids.txt"), ["105", "106", "107"]);
        var (code, stdout, stderr) = CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--file", fvecs, "--ids", _dir.File("ids.txt"), "--name", "e", "--base", "base", "--index", "Flat");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("3 rows read, 3 taken", stdout);
    }

    [Fact]
    public void LoadWithABadRow_IsExit2_NamingFileRowAndField_AndWritesNothing()
    {
        Train("base");
        string csv = _dir.File("bad.csv");
        // Row 3 names an item the base version does not have.
        File.WriteAllLines(csv, [Row(100, 1, 2, 3, 4), Row(101, 1, 2, 3, 4), Row(999, 1, 2, 3, 4), Row(102, 1, 2, 3, 4)]);
        var (code, _, stderr) = CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--file", csv, "--name", "img", "--base", "base", "--index", "Flat");
        Assert.Equal(2, code);
        Assert.Contains($"{csv}: row 3, field 'id': unknown item 999", stderr);
        Assert.Equal(["base"], ModelRegistry.Open(Registry).List().Select(v => v.Id));
    }

    [Fact]
    public void LoadWithANonFiniteValue_IsExit2_NamingTheLine()
    {
        Train("base");
        string csv = _dir.File("nan.csv");
        File.WriteAllLines(csv, [Row(100, 1, 2, 3, 4), "101,1,NaN,3,4"]);
        var (code, _, stderr) = CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--file", csv, "--name", "img", "--base", "base");
        Assert.Equal(2, code);
        Assert.Matches(LineTwo(), stderr);
    }

    [Fact]
    public void LoadSkipBad_CountsAndListsTheBadRows()
    {
        Train("base");
        string csv = _dir.File("some-bad.csv");
        File.WriteAllLines(csv, [Row(100, 1, 2, 3, 4), Row(100, 1, 2, 3, 5), Row(101, 0, 0, 0, 0), Row(102, 1, 1, 1, 1)]);
        var (code, stdout, stderr) = CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--file", csv, "--name", "img", "--base", "base", "--skip-bad", "--index", "Flat");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("4 rows read, 2 taken, 2 skipped", stdout);
        Assert.Contains($"skipped {csv}: row 2, field 'id': item 100 was given already, at row 1", stdout);
        Assert.Contains($"skipped {csv}: row 3, field 'vector': all zeros", stdout);
    }

    [Fact]
    public void LoadNpyWithoutIds_IsExit2_NamingTheOption()
    {
        Train("base");
        string npy = _dir.File("emb.npy");
        File.WriteAllBytes(npy, [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']);
        var (code, _, stderr) = CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--file", npy, "--name", "img", "--base", "base");
        Assert.Equal(2, code);
        Assert.Contains("--ids:", stderr);
    }

    [Fact]
    public async Task LoadItems_UpdatesTheServingState_AndABadRowChangesNothing()
    {
        string store = Path.Combine(_dir.Path, "store");
        Assert.Equal(0, CommandRun.Run(TrainCommand.Create(), "train", "--data", WriteInteractions(), "--format", "csv",
            "--registry", Registry, "--factors", "8", "--iterations", "3", "--store", store).Code);

        string bad = _dir.File("bad-items.csv");
        File.WriteAllLines(bad, ["id,title,categories,published_at", "700,\"Saint, The\",Action|Thriller,1700000000", "701,x,Drama,yesterday"]);
        var refused = CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--items", bad, "--store", store);
        Assert.Equal(2, refused.Code);
        Assert.Contains($"{bad}: line 3, field 'published_at': 'yesterday'", refused.Stderr);

        string good = _dir.File("items.csv");
        File.WriteAllLines(good, ["id,title,categories,published_at", "700,\"Saint, The\",Action|Thriller,1700000000", "101,Renamed,Drama,"]);
        var (code, stdout, stderr) = CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--items", good, "--store", store);
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("2 items (1 new, 1 updated)", stdout);

        // Two rows of one file whose ids share a key: refused before anything is opened, naming both rows.
        string clash = _dir.File("clash-items.csv");
        long key = RecSys.Engine.Models.Data.CatalogIdMap.KeyOf("sku-clash");
        File.WriteAllLines(clash, ["id,title", "sku-clash,one", $"{key},two"]);
        var clashed = CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--items", clash, "--store", store);
        Assert.Equal(2, clashed.Code);
        Assert.Contains($"{clash}: line 3: id '{key}' has the key {key} of id 'sku-clash' (line 2); rename one", clashed.Stderr);
        // A row the catalog refuses (its key is another id's there) after a good one: refused before the good one is applied.
        string named = _dir.File("named-items.csv");
        File.WriteAllLines(named, ["id,title", "sku-clash,one"]);
        Assert.Equal(0, CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--items", named, "--store", store).Code);
        string late = _dir.File("late-items.csv");
        // More rows than one batch (1,024) before it, so an apply pass that checked as it went would have applied them.
        File.WriteAllLines(late, ["id,title", .. Enumerable.Range(900, 1100).Select(i => $"{i},never applied"), $"{key},two"]);
        var refusedLate = CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--items", late, "--store", store);
        Assert.Equal(2, refusedLate.Code);
        Assert.Contains($"{late}: line 1102: ids 'sku-clash' and '{key}' map to the same key {key}", refusedLate.Stderr);

        // train ships an MLP ranker by default; this test reads the catalog only, so the ranker is not loaded.
        await using var state = await ServingState.OpenAsync(Registry, store,
            new ServingStateOptions { Load = new VersionLoadOptions { IgnoreRanker = true } });
        var item = await state.Store.GetItemAsync(700);
        Assert.NotNull(item);
        Assert.Equal(1_700_000_000_000, item.PublishedAtMs);
        Assert.Equal(2, item.Categories.Length);
        Assert.True(state.Catalog.Items.TryGetOrdinal(700, out _));
        Assert.True(state.Catalog.Items.TryGetOrdinal("sku-clash", out _));
        Assert.False(state.Catalog.Items.TryGetOrdinal(900, out _));
        Assert.Null(await state.Store.GetItemAsync(900));
    }

    [GeneratedRegex(@"nan\.csv.*line 2")]
    private static partial Regex LineTwo();
}
