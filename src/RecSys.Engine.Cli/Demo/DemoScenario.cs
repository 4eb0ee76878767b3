namespace RecSys.Engine.Cli.Demo;

/// <summary>
/// The story of the demo's calls (ids are the data's external ids): <paramref name="User"/> with
/// <paramref name="HistoryLength"/> events, mostly in <paramref name="Favourite"/>, likes <paramref name="Likes"/> of
/// <paramref name="NewTaste"/>; SimilarItems asks about <paramref name="SimilarTo"/>; <paramref name="ColdUser"/> is unknown;
/// <paramref name="WarmUpUser"/> is another known user, for the unprinted first call.
/// </summary>
internal sealed record DemoScenario(string User, int HistoryLength, string Favourite, string NewTaste, string[] Likes, string SimilarTo, string ColdUser, string WarmUpUser);
