using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>
/// <c>recsys serve --config FILE</c>: the real binary in a child process over a registry and a FASTER store, called
/// through the generated client, stopped by SIGTERM (graceful: exit 0, nothing acknowledged lost); and every kind of bad
/// config refused with exit 2 naming the key, before anything is served.
/// </summary>
public sealed partial class ServeCommandTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>, IDisposable
{
    private const string ReadWriteKey = "cli-test-read-write-key-01";
    private const string AdminKey = "cli-test-admin-key-0123456";
    private readonly RegistryRig _rig = new(trained);

    public void Dispose() => _rig.Dispose();

    private string Root => Path.GetDirectoryName(_rig.RegistryDirectory)!;

    /// <summary>A config for the rig's registry and store (relative paths: they resolve against the file's directory).</summary>
    private static Dictionary<string, object> Config() => new()
    {
        ["Server"] = new Dictionary<string, object>
        {
            ["Host"] = "127.0.0.1",
            ["Port"] = 0,
            ["Metrics"] = new Dictionary<string, object> { ["Port"] = 0 },
            // Not the queue-delay signal: on a CI machine busy with other test runs, a fresh server's first calls would be
            // refused (RESOURCE_EXHAUSTED, once at load 11-13). These tests are about serving and stopping; admission has its own.
            ["Admission"] = new Dictionary<string, object> { ["MaxQueueDelay"] = "00:00:00" },
            ["Auth"] = new Dictionary<string, object>
            {
                ["Keys"] = new object[]
                {
                    new Dictionary<string, object> { ["Name"] = "app", ["Key"] = ReadWriteKey, ["Roles"] = new[] { "Read", "Write" } },
                    new Dictionary<string, object> { ["Name"] = "ops", ["Key"] = AdminKey, ["Roles"] = new[] { "Admin" } },
                },
            },
        },
        ["Serving"] = new Dictionary<string, object>
        {
            ["RegistryDirectory"] = "registry",
            // The first requests JIT-compile the sources on a machine shared with other builds: no source may be dropped.
            ["SourceBudget"] = "00:00:10",
            ["FeatureStore"] = new Dictionary<string, object>
            {
                ["Backend"] = "Faster",
                ["DataDirectory"] = "store",
                ["MemoryBudgetBytes"] = 16L << 20,
                ["IndexBuckets"] = 1 << 14,
                ["CheckpointInterval"] = "00:00:00",
            },
        },
    };

    private string WriteConfig(object config, string name = "serve.json")
    {
        Directory.CreateDirectory(Root);
        string path = Path.Combine(Root, name);
        File.WriteAllText(path, config as string ?? JsonSerializer.Serialize(config));
        return path;
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var root = new RootCommand("test");
        root.Add(ServeCommand.Create());
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliRunner.Run(root, args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Serve_answers_through_the_generated_client_and_SIGTERM_stops_it_gracefully_losing_nothing()
    {
        await using (await _rig.CreateAsync("v1"))
        {
            // The first start trains nothing here: the version is built and the store seeded, then closed (saved).
        }
        string config = WriteConfig(Config());
        using var child = StartRecsys("serve", "--config", config);
        var output = new ChildOutput(child);
        long clicked;
        try
        {
            string listening = await output.WaitForLineAsync(l => l.Contains("recsys serve: listening on ", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
            var address = new Uri(ListeningAddress().Match(listening).Groups[1].Value);
            Assert.Equal("127.0.0.1", address.Host);
            Assert.NotEqual(0, address.Port);

            using (var channel = GrpcChannel.ForAddress(address))
            {
                var headers = new Metadata { { "x-api-key", ReadWriteKey } };
                var recommender = new Recommender.RecommenderClient(channel);
                var user = new Id { Num = PlantedCatalog.UserId(3) };
                var answer = await recommender.RecommendAsync(new RecommendRequest { User = user, K = 5 }, headers);
                Assert.Equal(5, answer.Items.Count);
                clicked = answer.Items[0].Item.Num;
                await recommender.RecordEventsBatchAsync(new RecordEventsRequest { Events = { new Event { User = user, Item = answer.Items[0].Item, Type = EventType.Purchase } } }, headers);
                var stats = await new Admin.AdminClient(channel).GetStatsAsync(new GetStatsRequest(), new Metadata { { "x-api-key", AdminKey } });
                Assert.Equal("v1", stats.ActiveVersion);
                var refused = await Assert.ThrowsAsync<RpcException>(async () => await recommender.RecommendAsync(new RecommendRequest { User = user, K = 5 }));
                Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
            }

            using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
                await child.WaitForExitAsync(timeout.Token);
            string all = output.Text;
            Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}: {all}");
            Assert.Contains("SIGTERM: stopping", all);
            Assert.Contains("recsys serve: stopped", all);
        }
        finally
        {
            // A failed assertion above must not leave a server running after the test.
            if (!child.HasExited)
                child.Kill(entireProcessTree: true);
        }

        // Reopened as the next start would: the acknowledged purchase is in the user's history.
        await using var reopened = await _rig.OpenAsync();
        var history = await reopened.Store.GetRecentHistoryAsync(PlantedCatalog.UserId(3), 1);
        Assert.Equal(clicked, Assert.Single(history).ItemId);
    }

    [Theory]
    [InlineData("Server", "Port", 70000, "Server:Port")]
    [InlineData("Server", "Portt", 1, "Portt")]
    [InlineData("Server", "MaxReceiveMessageBytes", "lots", "Server:MaxReceiveMessageBytes")]
    [InlineData("Serving", "RegistryDirectory", "nowhere", "Serving:RegistryDirectory")]
    [InlineData("Serving", "RegistryDirectory", "", "Serving:RegistryDirectory")]
    [InlineData("Sever", "Port", 1, "Sever")]
    public void A_bad_key_exits_two_naming_it(string section, string key, object value, string named)
    {
        Directory.CreateDirectory(_rig.RegistryDirectory);
        var config = Config();
        if (!config.TryGetValue(section, out object? s))
            config[section] = s = new Dictionary<string, object>();
        ((Dictionary<string, object>)s)[key] = value;
        var (code, stdout, stderr) = Run("serve", "--config", WriteConfig(config));
        Assert.True(code == CliRunner.ExitBadInput, $"exit {code}: {stderr}");
        Assert.Contains(named, stderr);
        Assert.DoesNotContain("listening", stdout);
    }

    [Theory]
    [InlineData("{\"experiments\": [{\"name\": \"e\", \"salt\": \"s\", \"variants\": [{\"name\": \"a\", \"share\": 0.5}, {\"name\": \"b\", \"share\": 0.5, \"mmr_lamda\": 0.5}]}]}", "mmr_lamda")]
    [InlineData("{\"experiments\": [{\"name\": \"e\", \"salt\": \"s\", \"variants\": [{\"name\": \"a\", \"share\": 0.5}, {\"name\": \"b\", \"share\": 0.6}]}]}", "add up to")]
    [InlineData("{\"experiments\": [{\"name\": \"e\", \"variants\": []}]}", "salt")]
    public void A_bad_experiments_file_exits_two_naming_the_file_and_the_field(string experiments, string field)
    {
        Directory.CreateDirectory(_rig.RegistryDirectory);
        File.WriteAllText(Path.Combine(Root, "experiments.json"), experiments);
        var config = Config();
        ((Dictionary<string, object>)config["Serving"])["ExperimentsFile"] = "experiments.json";
        var (code, stdout, stderr) = Run("serve", "--config", WriteConfig(config), "--check");
        Assert.True(code == CliRunner.ExitBadInput, $"exit {code}: {stderr}");
        Assert.Contains("Serving:ExperimentsFile", stderr);
        Assert.Contains("experiments.json", stderr);
        Assert.Contains(field, stderr);
        Assert.DoesNotContain("ok", stdout);
    }

    [Theory]
    [InlineData("Backend", "Mongo", "Serving:FeatureStore:Backend")]
    [InlineData("IndexBuckets", 1000, "Serving:FeatureStore:IndexBuckets")]
    [InlineData("DataDirectory", "", "Serving:FeatureStore:DataDirectory")]
    [InlineData("HistoryCapacity", 0, "Serving:FeatureStore:HistoryCapacity")]
    [InlineData("ImpressionCapacity", -1, "Serving:FeatureStore:ImpressionCapacity")]
    [InlineData("SeenCapacity", -1, "Serving:FeatureStore:SeenCapacity")]
    [InlineData("IndexCheckpointLogBytes", -1, "Serving:FeatureStore:IndexCheckpointLogBytes")]
    public void A_bad_feature_store_key_exits_two_naming_it(string key, object value, string named)
    {
        Directory.CreateDirectory(_rig.RegistryDirectory);
        var config = Config();
        ((Dictionary<string, object>)((Dictionary<string, object>)config["Serving"])["FeatureStore"])[key] = value;
        var (code, _, stderr) = Run("serve", "--config", WriteConfig(config));
        Assert.True(code == CliRunner.ExitBadInput, $"exit {code}: {stderr}");
        Assert.Contains(named, stderr);
    }

    [Fact]
    public void A_missing_file_bad_JSON_or_a_registry_with_nothing_to_serve_exits_two()
    {
        var (code, _, stderr) = Run("serve", "--config", Path.Combine(Root, "absent.json"));
        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains("absent.json", stderr);

        (code, _, stderr) = Run("serve", "--config", WriteConfig("{ \"Server\": { ", "broken.json"));
        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains("broken.json", stderr);

        // An empty registry: the config is well formed, but what it points at has no active version.
        Directory.CreateDirectory(_rig.RegistryDirectory);
        (code, _, stderr) = Run("serve", "--config", WriteConfig(Config()));
        Assert.True(code == CliRunner.ExitBadInput, $"exit {code}: {stderr}");
        Assert.Contains("Serving:RegistryDirectory", stderr);
        Assert.Contains("no active version", stderr);
    }

    [Fact]
    public async Task A_version_whose_ranker_file_is_not_ONNX_refuses_the_start_naming_the_version_and_IgnoreRanker()
    {
        await using (await _rig.CreateAsync("v1"))
        {
        }
        string rankerFile = Path.Combine(Root, "ranker.onnx");
        await File.WriteAllBytesAsync(rankerFile, [1, 2, 3]);
        _rig.AddVersion("v2", ranker: rankerFile);
        _rig.Registry.SetActive("v2");
        string path = WriteConfig(Config());
        var (code, stdout, stderr) = Run("serve", "--config", path);
        Assert.True(code == CliRunner.ExitBadInput, $"exit {code}: {stderr}");
        Assert.Contains("Serving:IgnoreRanker", stderr);
        Assert.Contains("'v2'", stderr);
        Assert.DoesNotContain("listening", stdout);
        // --check loads the ranker as the start does.
        (code, _, stderr) = Run("serve", "--config", path, "--check");
        Assert.True(code == CliRunner.ExitBadInput, $"exit {code}: {stderr}");
        Assert.Contains("Serving:IgnoreRanker", stderr);
        Assert.Contains("'v2'", stderr);
    }

    [Fact]
    public async Task A_pipeline_config_file_the_version_refuses_exits_two_naming_the_key_the_file_and_the_field()
    {
        await using (await _rig.CreateAsync("v1"))
        {
        }
        // Well-formed JSON: only applying it to the version's defaults finds the fault, after the config was read.
        File.WriteAllText(Path.Combine(Root, "pipeline.json"), """{"surfaces": [{"name": "home", "exploration_share": 1}]}""");
        var config = Config();
        ((Dictionary<string, object>)config["Serving"])["PipelineConfigFile"] = "pipeline.json";
        string path = WriteConfig(config);
        // --check applies it to the active version's defaults as the start does.
        var (code, stdout, stderr) = Run("serve", "--config", path, "--check");
        Assert.True(code == CliRunner.ExitBadInput, $"exit {code}: {stderr}");
        Assert.Contains("Serving:PipelineConfigFile", stderr);
        Assert.Contains("pipeline.json: surfaces[0].exploration_share", stderr);
        Assert.DoesNotContain("ok", stdout);

        (code, stdout, stderr) = Run("serve", "--config", path);
        Assert.True(code == CliRunner.ExitBadInput, $"exit {code}: {stderr}");
        Assert.Contains("Serving:PipelineConfigFile", stderr);
        Assert.Contains("pipeline.json: surfaces[0].exploration_share", stderr);
        Assert.DoesNotContain("listening", stdout);

        File.WriteAllText(Path.Combine(Root, "pipeline.json"), """{"surfaces": [{"name": "home", "exploration_shar": 0}]}""");
        (code, _, stderr) = Run("serve", "--config", path, "--check");
        Assert.True(code == CliRunner.ExitBadInput, $"exit {code}: {stderr}");
        Assert.Contains("Serving:PipelineConfigFile", stderr);
        Assert.Contains("surfaces[0].exploration_shar", stderr);
    }

    [Fact]
    public async Task Check_reads_the_config_and_the_registry_and_says_what_it_would_serve()
    {
        // A well-formed config over a registry with nothing to serve: refused as the start would refuse it.
        Directory.CreateDirectory(_rig.RegistryDirectory);
        string path = WriteConfig(Config());
        var (code, stdout, stderr) = Run("serve", "--config", path, "--check");
        Assert.True(code == CliRunner.ExitBadInput, $"exit {code}: {stderr}");
        Assert.Contains("Serving:RegistryDirectory", stderr);
        Assert.Contains("no active version", stderr);

        await using (await _rig.CreateAsync("v1"))
        {
        }
        (code, stdout, stderr) = Run("serve", "--config", path, "--check");
        Assert.True(code == 0, stderr);
        Assert.Contains("version 'v1'", stdout);
        Assert.Contains(_rig.RegistryDirectory, stdout);
    }

    [Fact]
    public async Task Check_refuses_an_experiment_variant_that_names_a_version_the_registry_lacks()
    {
        await using (await _rig.CreateAsync("v1"))
        {
        }
        File.WriteAllText(Path.Combine(Root, "experiments.json"),
            """{"experiments": [{"name": "e", "salt": "s", "variants": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5, "version": "v9"}]}]}""");
        var config = Config();
        ((Dictionary<string, object>)config["Serving"])["ExperimentsFile"] = "experiments.json";
        var (code, stdout, stderr) = Run("serve", "--config", WriteConfig(config), "--check");
        Assert.True(code == CliRunner.ExitBadInput, $"exit {code}: {stderr}");
        Assert.Contains("Serving:ExperimentsFile", stderr);
        Assert.Contains("experiments[0].variants[1].version", stderr);
        Assert.Contains("'v9'", stderr);
        Assert.DoesNotContain("ok", stdout);
    }

    /// <summary>The recsys binary the build put beside the tests, in a child process with its output captured.</summary>
    private static Process StartRecsys(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "recsys.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (string a in args)
            start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    [GeneratedRegex(@"listening on (\S+);")]
    private static partial Regex ListeningAddress();

    /// <summary>A child's stdout and stderr as lines, waited on by content (not by time).</summary>
    private sealed class ChildOutput
    {
        private readonly System.Text.StringBuilder _text = new();
        private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

        public ChildOutput(Process child)
        {
            child.OutputDataReceived += (_, e) => Add(e.Data);
            child.ErrorDataReceived += (_, e) => Add(e.Data);
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
        }

        public string Text
        {
            get
            {
                lock (_text)
                    return _text.ToString();
            }
        }

        public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
        {
            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_text)
            {
                foreach (string line in _text.ToString().Split('\n'))
                {
                    if (match(line))
                        return Task.FromResult(line);
                }
                _waiters.Add((match, found));
            }
            return found.Task.WaitAsync(timeout).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result
                : throw new TimeoutException($"no such line in the child's output within {timeout}: {Text}"), TaskScheduler.Default);
        }

        private void Add(string? line)
        {
            if (line is null)
                return;
            lock (_text)
            {
                _text.Append(line).Append('\n');
                foreach (var w in _waiters.Where(w => w.Match(line)).ToArray())
                {
                    w.Found.TrySetResult(line);
                    _waiters.Remove(w);
                }
            }
        }
    }
}
