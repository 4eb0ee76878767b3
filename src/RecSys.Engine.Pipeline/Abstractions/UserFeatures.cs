namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// The user half of the ranker's input (issue 12's user group): activity, segment, demographics. Codes are the
/// store's (<see cref="Features.Records.UserProfile"/>): 0 = unknown.
/// </summary>
public readonly record struct UserFeatures(
    long UserId,
    int Segment,
    byte AgeBucket,
    byte Gender,
    int Interactions,
    bool IsNewUser,
    bool HasCfVector,
    int OnboardingCategories);
