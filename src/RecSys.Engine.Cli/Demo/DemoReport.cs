namespace RecSys.Engine.Cli.Demo;

/// <summary>The answers of the demo's calls (item ids as the data has them), for tests and the summary.</summary>
internal sealed record DemoReport(string[] Before, string[] Similar, long Accepted, string[] After, string[] ColdStart, string Ranker);
