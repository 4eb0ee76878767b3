using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Pipeline.ColdStart;

/// <summary>
/// A user's attributes -> the store's profile, with the one segment definition: the popularity model's key
/// (<see cref="UserSegments.Key"/>: age bucket | gender | occupation) numbered by the catalog's segment table, so the
/// store's per-segment counters, the profile's int and the popularity model's lists all mean the same group.
/// </summary>
public static class UserProfiles
{
    public static UserProfile ToProfile(UserAttributes user, LiveCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(user);
        var onboarding = new int[user.OnboardingCategories.Count];
        for (int i = 0; i < onboarding.Length; i++)
            onboarding[i] = catalog.Categories.GetOrAdd(user.OnboardingCategories[i]);
        return new UserProfile
        {
            AgeBucket = AgeBucketCode(user.Age),
            Gender = GenderCode(user.Gender),
            Country = user.Country,
            Segment = SegmentOf(user, catalog),
            CreatedAtMs = user.CreatedAtMs,
            OnboardingCategories = onboarding,
        };
    }

    /// <summary>The segment id of the user's demographics (-1 without any), added to the table when new.</summary>
    public static int SegmentOf(UserAttributes user, LiveCatalog catalog) =>
        user.HasDemographics ? catalog.Segments.GetOrAdd(UserSegments.Key(user.Age, user.Gender, user.Occupation)) : -1;

    /// <summary>0 = unknown, then the buckets of <see cref="UserSegments.AgeBucket"/> in order (1 = under 18 .. 7 = 56+).</summary>
    public static byte AgeBucketCode(int age) => UserSegments.AgeBucketCode(age);

    /// <summary>0 = unknown, 1 = "M", 2 = "F", 3 = anything else.</summary>
    public static byte GenderCode(string gender) => UserSegments.GenderCode(gender);
}
