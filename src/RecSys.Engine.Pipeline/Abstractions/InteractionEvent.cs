using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// One event RecordEvents takes: a user did something to an item, possibly because a response
/// (<see cref="RequestId"/>) showed it. Ids are external. An impression's value names the surface that showed the
/// item (<see cref="Config.SurfaceConfig.Code"/>); other events' values are the interaction's strength (a rating, 1).
/// </summary>
public readonly record struct InteractionEvent(long UserId, long ItemId, EventType Type, float Value, long TimestampMs, string? RequestId = null);
