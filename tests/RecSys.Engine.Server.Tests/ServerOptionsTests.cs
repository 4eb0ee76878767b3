using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Server.Tests;

/// <summary>The config file: bound into the options records, every bad value named by its key.</summary>
public sealed class ServerOptionsTests
{
    private static ServerOptions Load(string json)
    {
        using var dir = new TempDirectory("recsys-server-config");
        string path = dir.File("appsettings.json");
        File.WriteAllText(path, json);
        return ServerOptions.FromJsonFile(path);
    }

    [Fact]
    public void A_config_file_binds_every_section()
    {
        var options = Load("""
            { "Server": { "Host": "0.0.0.0", "Port": 6000, "ShutdownTimeout": "00:00:05", "MaxReceiveMessageBytes": 4096,
                          "Auth": { "Keys": [ { "Name": "app", "Key": "0123456789abcdef", "Roles": [ "Read", "write" ] } ] },
                          "Metrics": { "Port": 9000, "Path": "/m" }, "Admission": { "MaxConcurrentCalls": 8, "DegradeAbove": 0.75, "MinSourceShare": 0.5, "MaxQueueDelay": "00:00:00.050", "ShedAfter": "00:00:00.250", "DegradeQueueDelay": "00:00:00.040" },
                          "LogCalls": true, "ThreadPoolMinThreads": 48,
                          "Limits": { "MaxEventsPerCall": 7 } } }
            """);
        options.Validate();
        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(6000, options.Port);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ShutdownTimeout);
        Assert.Equal(4096, options.MaxReceiveMessageBytes);
        var key = Assert.Single(options.Auth.Keys);
        Assert.Equal(["Read", "write"], key.Roles);
        Assert.True(options.Auth.Enabled);
        Assert.Equal(9000, options.Metrics.Port);
        Assert.Equal("/m", options.Metrics.Path);
        Assert.Equal(8, options.Admission.MaxConcurrentCalls);
        Assert.Equal(0.75, options.Admission.DegradeAbove);
        Assert.Equal(0.5, options.Admission.MinSourceShare);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.Admission.MaxQueueDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Admission.ShedAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(40), options.Admission.DegradeQueueDelay);
        Assert.True(options.LogCalls);
        Assert.Equal(48, options.ThreadPoolMinThreads);
        Assert.Equal(7, options.Limits.MaxEventsPerCall);
        Assert.Equal(new RequestLimits().MaxIdLength, options.Limits.MaxIdLength);
    }

    [Fact]
    public void The_defaults_are_loopback_h2c_on_50051_with_auth_on_and_need_a_key()
    {
        var defaults = new ServerOptions();
        Assert.Equal("127.0.0.1", defaults.Host);
        Assert.Equal(50051, defaults.Port);
        Assert.False(defaults.Tls.Enabled);
        Assert.False(defaults.LogCalls);
        Assert.Equal(0, defaults.ThreadPoolMinThreads);
        Assert.Equal(TimeSpan.FromMilliseconds(50), defaults.Admission.ShedAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(10), defaults.Admission.DegradeQueueDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(10), defaults.Admission.MaxQueueDelay);
        Assert.True(defaults.Auth.Enabled);
        var e = Assert.Throws<ServerConfigException>(defaults.Validate);
        Assert.Equal("Server:Auth:Keys", e.Key);
    }

    [Theory]
    [InlineData("""{ "Server": { "Port": 70000, "Auth": { "Enabled": false } } }""", "Server:Port")]
    [InlineData("""{ "Server": { "Host": "example.org", "Auth": { "Enabled": false } } }""", "Server:Host")]
    [InlineData("""{ "Server": { "Auth": { "Keys": [ { "Name": "a", "Key": "short", "Roles": [ "Read" ] } ] } } }""", "Server:Auth:Keys:0:Key")]
    [InlineData("""{ "Server": { "Auth": { "Keys": [ { "Name": "a", "Key": "0123456789abcdef" } ] } } }""", "Server:Auth:Keys:0:Roles")]
    [InlineData("""{ "Server": { "Auth": { "Keys": [ { "Name": "a", "Key": "0123456789abcdef", "Roles": [ "Read" ] }, { "Name": "a", "Key": "0123456789abcdeg", "Roles": [ "Read" ] } ] } } }""", "Server:Auth:Keys:1:Name")]
    [InlineData("""{ "Server": { "Tls": { "Enabled": true }, "Auth": { "Enabled": false } } }""", "Server:Tls:CertificatePath")]
    [InlineData("""{ "Server": { "Admission": { "MaxConcurrentCalls": -1 }, "Auth": { "Enabled": false } } }""", "Server:Admission:MaxConcurrentCalls")]
    [InlineData("""{ "Server": { "Admission": { "DegradeAbove": 0 }, "Auth": { "Enabled": false } } }""", "Server:Admission:DegradeAbove")]
    [InlineData("""{ "Server": { "Admission": { "DegradeQueueDelay": "00:00:00" }, "Auth": { "Enabled": false } } }""", "Server:Admission:DegradeQueueDelay")]
    [InlineData("""{ "Server": { "Admission": { "DegradeQueueDelay": "00:00:11" }, "Auth": { "Enabled": false } } }""", "Server:Admission:DegradeQueueDelay")]
    [InlineData("""{ "Server": { "Admission": { "MinSourceShare": 1.5 }, "Auth": { "Enabled": false } } }""", "Server:Admission:MinSourceShare")]
    [InlineData("""{ "Server": { "Admission": { "MaxQueueDelay": "-00:00:01" }, "Auth": { "Enabled": false } } }""", "Server:Admission:MaxQueueDelay")]
    [InlineData("""{ "Server": { "Admission": { "MaxQueueDelay": "00:01:00" }, "Auth": { "Enabled": false } } }""", "Server:Admission:MaxQueueDelay")]
    [InlineData("""{ "Server": { "Admission": { "ShedAfter": "-00:00:00.001" }, "Auth": { "Enabled": false } } }""", "Server:Admission:ShedAfter")]
    [InlineData("""{ "Server": { "Admission": { "ShedAfter": "00:00:11" }, "Auth": { "Enabled": false } } }""", "Server:Admission:ShedAfter")]
    [InlineData("""{ "Server": { "Limits": { "MaxRankItems": 0 }, "Auth": { "Enabled": false } } }""", "Server:Limits:MaxRankItems")]
    [InlineData("""{ "Server": { "ThreadPoolMinThreads": -1, "Auth": { "Enabled": false } } }""", "Server:ThreadPoolMinThreads")]
    [InlineData("""{ "Server": { "ThreadPoolMinThreads": 5000, "Auth": { "Enabled": false } } }""", "Server:ThreadPoolMinThreads")]
    [InlineData("""{ "Server": { "Metrics": { "Path": "metrics" }, "Auth": { "Enabled": false } } }""", "Server:Metrics:Path")]
    [InlineData("""{ "Server": { "Port": 9464, "Auth": { "Enabled": false } } }""", "Server:Metrics:Port")]
    [InlineData("""{ "Server": { "Auth": { "Keys": [ { "Name": "a", "Key": "0123456789abcdef", "Roles": [ "Read", "Root" ] } ] } } }""", "Server:Auth:Keys:0:Roles:1")]
    public void A_bad_value_is_refused_naming_its_key(string json, string key)
    {
        var e = Assert.Throws<ServerConfigException>(() => Load(json).Validate());
        Assert.Equal(key, e.Key);
        Assert.StartsWith(key, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "Server": { "Portt": 1 } }""", "Portt")]
    [InlineData("""{ "Server": { "Port": "fifty" } }""", "Server:Port")]
    public void An_unknown_key_or_a_value_of_the_wrong_type_is_refused_naming_it(string json, string named)
    {
        var e = Assert.Throws<ServerConfigException>(() => Load(json));
        Assert.True(e.Message.Contains(named, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void A_missing_file_or_bad_json_is_refused_naming_the_file()
    {
        Assert.Contains("nope.json", Assert.Throws<ServerConfigException>(() => ServerOptions.FromJsonFile("/nonexistent/nope.json")).Message);
        var e = Assert.Throws<ServerConfigException>(() => Load("{ \"Server\": { "));
        Assert.Contains("appsettings.json", e.Message);
    }
}
