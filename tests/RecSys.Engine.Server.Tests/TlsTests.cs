using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Server.Tests;

/// <summary>TLS from config: a PKCS#12 certificate file; the client trusts exactly that certificate.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task With_tls_on_the_server_answers_over_https_with_its_certificate()
    {
        using var dir = new TempDirectory("recsys-server-tls");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=recsys-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        string pfx = dir.File("server.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "secret"));

        await using var rig = await ServerRig.StartAsync(o => o with { Tls = new TlsOptions { Enabled = true, CertificatePath = pfx, Password = "secret" } });
        Assert.Equal("https", rig.Server.Address.Scheme);
        string? seen = null;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
        {
            seen = presented?.GetCertHashString();
            return seen == certificate.GetCertHashString();
        };
        using var channel = GrpcChannel.ForAddress(rig.Server.Address, new GrpcChannelOptions { HttpHandler = handler });
        var client = new Recommender.RecommenderClient(channel);
        var response = await client.RecommendAsync(new Api.V1.RecommendRequest { User = ServerRig.UserId(1), K = 4 }, TestKeys.Read);
        Assert.Equal(4, response.Items.Count);
        Assert.Equal(certificate.GetCertHashString(), seen);
    }

    [Fact]
    public async Task A_certificate_that_cannot_be_loaded_is_refused_naming_the_key()
    {
        using var dir = new TempDirectory("recsys-server-tls");
        string pfx = dir.File("broken.pfx");
        await File.WriteAllTextAsync(pfx, "not a certificate");
        var options = ServerRig.TestOptions with { Tls = new TlsOptions { Enabled = true, CertificatePath = pfx } };
        await using var harness = await Pipeline.Tests.Support.PipelineHarness.CreateAsync();
        var e = await Assert.ThrowsAsync<ServerConfigException>(() => RecSysServer.StartAsync(options, harness.Pipeline, new LogCapture().Configure));
        Assert.Equal("Server:Tls:CertificatePath", e.Key);
    }
}
