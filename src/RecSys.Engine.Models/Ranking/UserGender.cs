namespace RecSys.Engine.Models.Ranking;

/// <summary>A user's gender where the profile states it; the ranking feature is +1 female, -1 male, 0 otherwise.</summary>
public enum UserGender
{
    Unknown = 0,
    Female = 1,
    Male = 2,
}
