using RecSys.Engine.Features;
using RecSys.Engine.Features.Model;

namespace RecSys.Engine.Features.CrashWriter;

/// <summary>The deterministic write sequence shared by the crash child and the test that checks it.</summary>
public static class CrashWorkload
{
    public const int EventUsers = 50;

    public static UserProfile Profile(long n) => new()
    {
        AgeBucket = (byte)(n % 7), Gender = (byte)(n % 3), Country = "C" + (n % 100), Segment = (int)(n % 5),
        CreatedAtMs = 1_700_000_000_000 + n, OnboardingCategories = [(int)(n % 11), (int)(n % 13)],
    };

    public static ItemMetadata Item(long n) => new()
    {
        Categories = [(int)(n % 17)], Tags = ["t" + n], PublishedAtMs = 1_700_000_000_000 + n,
        PolicyFlags = (ItemPolicyFlags)(n % 4),
    };

    public static UserEvent Event(long n) => new(1_000_000_000 + n % EventUsers, n, EventType.Click, 1f, 1_700_000_000_000 + n, (int)(n % 5));

    public static ValueTask WriteAsync(IFeatureStore store, long n) => (n % 3) switch
    {
        0 => store.UpsertUserProfileAsync(n, Profile(n)),
        1 => store.AppendEventAsync(Event(n)),
        _ => store.UpsertItemAsync(n, Item(n)),
    };
}
