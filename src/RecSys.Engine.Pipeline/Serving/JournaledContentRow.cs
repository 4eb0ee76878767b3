namespace RecSys.Engine.Pipeline.Serving;

/// <summary>A content vector set while serving, as the catalog journal gives it back on replay.</summary>
/// <param name="Version">The version active when it was set: its encoder made it, and its trained rows were what it replaced.</param>
/// <param name="Row">The vector; empty when the item has none (it was all zeros).</param>
internal readonly record struct JournaledContentRow(string Version, float[] Row);
