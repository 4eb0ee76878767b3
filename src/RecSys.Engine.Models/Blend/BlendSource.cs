namespace RecSys.Engine.Models.Blend;

/// <summary>One input of the blend: a trained source and its weight.</summary>
public sealed record BlendSource(IRecommender Source, float Weight);
