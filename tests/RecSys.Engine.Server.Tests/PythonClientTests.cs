using System.Diagnostics;
using System.Text.Json;
using RecSys.Engine.Server.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// A client outside .NET: Debian's python3-grpcio and python3-grpc-tools generate stubs from the server's protos
/// (which import only protobuf's well-known types) and call Recommend with an API key. Without the tools the test
/// fails with the install line, unless RECSYS_SKIP_PYTHON_CLIENT=1 says to skip it.
/// </summary>
public sealed class PythonClientTests
{
    private const string Python = "/usr/bin/python3";
    private const string InstallLine = "apt-get install -y python3-grpcio python3-grpc-tools";

    private const string Client = """
        import json, sys
        import grpc
        sys.path.insert(0, sys.argv[1])
        from recsys.v1 import common_pb2, recommender_pb2, recommender_pb2_grpc

        channel = grpc.insecure_channel(sys.argv[2])
        stub = recommender_pb2_grpc.RecommenderStub(channel)
        request = recommender_pb2.RecommendRequest(user=common_pb2.Id(num=int(sys.argv[3])), k=5)
        response = stub.Recommend(request, metadata=[("x-api-key", sys.argv[4])], timeout=60)
        try:
            stub.Recommend(request, timeout=60)
            unauthenticated = False
        except grpc.RpcError as e:
            unauthenticated = e.code() == grpc.StatusCode.UNAUTHENTICATED
        print(json.dumps({"items": [i.item.num for i in response.items], "surface": response.surface, "unauthenticated": unauthenticated}))
        """;

    [Fact]
    public async Task A_python_client_generated_from_the_protos_calls_Recommend()
    {
        if (!ToolsPresent(out string why))
        {
            if (Environment.GetEnvironmentVariable("RECSYS_SKIP_PYTHON_CLIENT") == "1")
                return; // skipped on purpose
            Assert.Fail($"the Python gRPC tools are missing ({why}): {InstallLine} (or set RECSYS_SKIP_PYTHON_CLIENT=1 to skip this test)");
        }
        using var dir = new TempDirectory("recsys-python-client");
        string protos = Path.Combine(AppContext.BaseDirectory, "Protos");
        var files = Directory.GetFiles(Path.Combine(protos, "recsys", "v1"), "*.proto").Select(f => Path.GetRelativePath(protos, f)).ToArray();
        Assert.Equal(4, files.Length);
        var (code, output) = await RunAsync(Python, ["-m", "grpc_tools.protoc", "-I", protos, "--python_out", dir.Path, "--grpc_python_out", dir.Path, .. files]);
        Assert.True(code == 0, "protoc failed: " + output);
        // Python 3 packages without __init__.py are namespace packages: "from recsys.v1 import ..." works as generated.
        string script = dir.File("client.py");
        await File.WriteAllTextAsync(script, Client);

        await using var rig = await ServerRig.StartAsync();
        (code, output) = await RunAsync(Python, [script, dir.Path, $"127.0.0.1:{rig.Server.Port}", Pipeline.Tests.Support.PlantedCatalog.UserId(3).ToString(System.Globalization.CultureInfo.InvariantCulture), TestKeys.Reader]);
        Assert.True(code == 0, "the Python client failed: " + output);
        using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.Equal(5, json.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal("home", json.RootElement.GetProperty("surface").GetString());
        Assert.True(json.RootElement.GetProperty("unauthenticated").GetBoolean());
        // The same request from C# (no "now" either side) gets the same answer.
        var expected = await rig.Recommender.RecommendAsync(new Api.V1.RecommendRequest { User = ServerRig.UserId(3), K = 5 }, TestKeys.Headers(TestKeys.Reader));
        Assert.Equal(expected.Items.Select(i => i.Item.Num), json.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetInt64()));
    }

    private static bool ToolsPresent(out string why)
    {
        if (!File.Exists(Python))
        {
            why = Python + " not found";
            return false;
        }
        var (code, output) = RunAsync(Python, ["-c", "import grpc, grpc_tools.protoc"]).GetAwaiter().GetResult();
        why = code == 0 ? "" : output.Trim().Split('\n')[^1];
        return code == 0;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
