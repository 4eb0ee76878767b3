namespace RecSys.Engine.Pipeline.Catalog;

/// <summary>
/// A user as sign-up (or a profile update) gives them: demographics, which decide the segment (the popularity
/// model's key, <see cref="Models.Popularity.UserSegments.Key"/>, numbered by the catalog's segment table for
/// the store), and the categories picked at onboarding (the cold-start content profile).
/// </summary>
public sealed record UserAttributes
{
    /// <summary>Age in years; 0 = unknown.</summary>
    public int Age { get; init; }

    /// <summary>As the data spells it ("M", "F"); empty = unknown.</summary>
    public string Gender { get; init; } = "";

    public string Occupation { get; init; } = "";

    /// <summary>ISO 3166 code or empty.</summary>
    public string Country { get; init; } = "";

    public IReadOnlyList<string> OnboardingCategories { get; init; } = [];

    public long CreatedAtMs { get; init; }

    /// <summary>True when no demographic is known: the user belongs to no segment (-1), cold start uses overall popularity.</summary>
    public bool HasDemographics => Age > 0 || Gender.Length > 0 || Occupation.Length > 0;
}
