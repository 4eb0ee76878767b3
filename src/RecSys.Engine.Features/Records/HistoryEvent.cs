namespace RecSys.Engine.Features.Records;

/// <summary>One entry of a user's bounded recent history.</summary>
public readonly record struct HistoryEvent(long ItemId, EventType Type, float Value, long TimestampMs);
