namespace RecSys.Engine.Cli.Demo;

/// <summary>The answers of the demo's calls (item ids as the data has them), for tests and the summary.</summary>
/// <param name="NewItemBefore">The new item's page before anyone liked it (sources of each: content only).</param>
/// <param name="NewItemAfter">Its page after its fans liked it (CF neighbours from its folded-in row too).</param>
internal sealed record DemoReport(string[] Before, string[] Similar, long Accepted, string[] After, string[] ColdStart, string Ranker,
    string[] NewItemBefore, string[] NewItemAfter);
