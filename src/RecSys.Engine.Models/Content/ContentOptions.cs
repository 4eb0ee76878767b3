namespace RecSys.Engine.Models.Content;

/// <summary>Settings of the content encoder.</summary>
public sealed record ContentOptions
{
    /// <summary>Buckets for hashed title / tag tokens (the feature hashing trick).</summary>
    public int HashBuckets { get; init; } = 512;

    /// <summary>Hash title tokens (words and the year in "Title (1995)").</summary>
    public bool UseTitle { get; init; } = true;

    /// <summary>Multiplier of the category block relative to tokens, before normalisation.</summary>
    public float CategoryWeight { get; init; } = 1f;
}
