using Grpc.Core;
using RecSys.Engine.Server.Auth;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.Server.Tests.Support;

/// <summary>The API keys test servers accept: one per role mix.</summary>
public static class TestKeys
{
    public const string Reader = "reader-key-0123456789";
    public const string Writer = "writer-key-0123456789";
    public const string Admin = "admin-key-01234567890";

    public static readonly AuthOptions Auth = new()
    {
        Keys =
        [
            new ApiKeyOptions { Name = "reader", Key = Reader, Roles = ["Read"] },
            new ApiKeyOptions { Name = "writer", Key = Writer, Roles = ["Read", "Write"] },
            new ApiKeyOptions { Name = "admin", Key = Admin, Roles = ["Admin"] },
        ],
    };

    public static Metadata Headers(string key) => new() { { "x-api-key", key } };

    /// <summary>Call headers with the reader's key (Read).</summary>
    public static Metadata Read => Headers(Reader);

    /// <summary>Call headers with the writer's key (Read, Write).</summary>
    public static Metadata Write => Headers(Writer);

    /// <summary>Call headers with the admin's key (Admin).</summary>
    public static Metadata AdminOnly => Headers(Admin);
}
