namespace RecSys.Engine.Models.Data;

/// <summary>A train / test pair over the same id maps.</summary>
public sealed record DataSplit(InteractionSet Train, InteractionSet Test);
