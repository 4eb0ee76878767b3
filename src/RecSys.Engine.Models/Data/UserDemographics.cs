namespace RecSys.Engine.Models.Data;

/// <summary>
/// User attributes by user ordinal (MovieLens u.user: age, gender, occupation), used to form the
/// cold-start segments of the popularity model. Missing users read as age 0, gender "", occupation "".
/// </summary>
public sealed class UserDemographics
{
    private readonly List<int> _ages = [];
    private readonly List<string> _genders = [];
    private readonly List<string> _occupations = [];

    public int Count => _ages.Count;

    public int Age(int user) => user < _ages.Count ? _ages[user] : 0;

    public string Gender(int user) => user < _genders.Count ? _genders[user] : "";

    public string Occupation(int user) => user < _occupations.Count ? _occupations[user] : "";

    public void Set(int user, int age, string gender, string occupation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        while (_ages.Count <= user)
        {
            _ages.Add(0);
            _genders.Add("");
            _occupations.Add("");
        }
        _ages[user] = age;
        _genders[user] = gender;
        _occupations[user] = occupation;
    }
}
