namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>The request context of the ranker's input: surface, and the time of day and week (UTC) from "now".</summary>
public readonly record struct ContextFeatures(string Surface, int SurfaceCode, int HourOfDay, int DayOfWeek, long NowMs);
