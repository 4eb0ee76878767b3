using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Popularity;

/// <summary>
/// Demographic segments for cold start: age bucket (the MovieLens 1M buckets: under 18, 18-24, 25-34,
/// 35-44, 45-49, 50-55, 56+) x gender x occupation. Users without demographics share the segment "".
/// </summary>
public static class UserSegments
{
    private static readonly string[] AgeBuckets = ["?", "<18", "18-24", "25-34", "35-44", "45-49", "50-55", "56+"];

    public static string AgeBucket(int age) => AgeBuckets[AgeBucketCode(age)];

    /// <summary>The age bucket as the feature store's profile codes it: 0 unknown, then 1 (under 18) .. 7 (56+) in order.</summary>
    public static byte AgeBucketCode(int age) => age switch
    {
        <= 0 => 0,
        < 18 => 1,
        < 25 => 2,
        < 35 => 3,
        < 45 => 4,
        < 50 => 5,
        < 56 => 6,
        _ => 7,
    };

    /// <summary>The gender as the feature store's profile codes it: 0 unknown (""), 1 "M", 2 "F", 3 anything else.</summary>
    public static byte GenderCode(string gender) => gender switch
    {
        "" => 0,
        "M" or "m" => 1,
        "F" or "f" => 2,
        _ => 3,
    };

    public static string Of(UserDemographics? demographics, int user) =>
        demographics is null || user >= demographics.Count
            ? ""
            : Key(demographics.Age(user), demographics.Gender(user), demographics.Occupation(user));

    /// <summary>The segment of a user known only by attributes (a new user at sign-up): "18-24|F|student".</summary>
    public static string Key(int age, string gender, string occupation) => $"{AgeBucket(age)}|{gender}|{occupation}";
}
