namespace RecSys.Engine.LoadGen;

/// <summary>The ActivateModel call a run made (<c>--activate VERSION@T</c>): when, how long the swap took, its gRPC status.</summary>
public sealed record ActivationResult(string Version, double AtS, double TookMs, string Status);
