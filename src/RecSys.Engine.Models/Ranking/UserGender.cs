namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// A user's gender as the feature store's profile codes it (<c>UserProfile.Gender</c>; <see cref="Popularity.UserSegments.GenderCode"/>
/// maps the data's strings to it): the ranking features read the same code offline and when serving.
/// </summary>
public enum UserGender : byte
{
    Unknown = 0,
    Male = 1,
    Female = 2,
    Other = 3,
}
