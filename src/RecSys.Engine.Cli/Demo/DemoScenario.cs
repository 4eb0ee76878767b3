namespace RecSys.Engine.Cli.Demo;

/// <summary>
/// The story of the demo's calls (ids are the data's external ids): <paramref name="User"/> with
/// <paramref name="HistoryLength"/> events, mostly in <paramref name="Favourite"/>, likes <paramref name="Likes"/> of
/// <paramref name="NewTaste"/>; SimilarItems asks about <paramref name="SimilarTo"/>; <paramref name="ColdUser"/> is unknown;
/// <paramref name="WarmUpUser"/> is another known user, for the unprinted first call. <paramref name="NewItem"/> is an id
/// the data does not have: an item of <paramref name="Favourite"/> added live, which <paramref name="Fans"/> (other users
/// mostly of that category) like, so it gets a CF row.
/// </summary>
internal sealed record DemoScenario(string User, int HistoryLength, string Favourite, string NewTaste, string[] Likes, string SimilarTo, string ColdUser, string WarmUpUser,
    string NewItem, string[] Fans);
