using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Popularity;

/// <summary>
/// Demographic segments for cold start: age bucket (the MovieLens 1M buckets: under 18, 18-24, 25-34,
/// 35-44, 45-49, 50-55, 56+) x gender x occupation. Users without demographics share the segment "".
/// </summary>
public static class UserSegments
{
    public static string AgeBucket(int age) => age switch
    {
        <= 0 => "?",
        < 18 => "<18",
        < 25 => "18-24",
        < 35 => "25-34",
        < 45 => "35-44",
        < 50 => "45-49",
        < 56 => "50-55",
        _ => "56+",
    };

    public static string Of(UserDemographics? demographics, int user) =>
        demographics is null || user >= demographics.Count
            ? ""
            : Key(demographics.Age(user), demographics.Gender(user), demographics.Occupation(user));

    /// <summary>The segment of a user known only by attributes (a new user at sign-up): "18-24|F|student".</summary>
    public static string Key(int age, string gender, string occupation) => $"{AgeBucket(age)}|{gender}|{occupation}";
}
