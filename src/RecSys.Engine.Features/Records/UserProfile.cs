namespace RecSys.Engine.Features.Records;

/// <summary>Demographics and onboarding choices: what cold start and the ranker's user features need.</summary>
public sealed record UserProfile
{
    /// <summary>Age band (0 = unknown); bands are the application's choice.</summary>
    public byte AgeBucket { get; init; }

    /// <summary>0 = unknown; codes are the application's choice.</summary>
    public byte Gender { get; init; }

    /// <summary>ISO 3166 country code or empty.</summary>
    public string Country { get; init; } = "";

    /// <summary>Demographic segment used by the item x segment trending counters (-1 = none).</summary>
    public int Segment { get; init; } = -1;

    public long CreatedAtMs { get; init; }

    /// <summary>Category ids the user picked at onboarding.</summary>
    public int[] OnboardingCategories { get; init; } = [];

    public bool Equals(UserProfile? other) =>
        other is not null && AgeBucket == other.AgeBucket && Gender == other.Gender && Country == other.Country &&
        Segment == other.Segment && CreatedAtMs == other.CreatedAtMs &&
        OnboardingCategories.AsSpan().SequenceEqual(other.OnboardingCategories);

    public override int GetHashCode() => HashCode.Combine(AgeBucket, Gender, Country, Segment, CreatedAtMs, OnboardingCategories.Length);
}
