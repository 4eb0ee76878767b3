using Google.Protobuf.WellKnownTypes;
using RecSys.Engine.Pipeline.Catalog;
using Proto = RecSys.Engine.Server.Api.V1;

namespace RecSys.Engine.Server.Mapping;

/// <summary>Pipeline answers as recsys.v1 messages. Item ids go out as the client sent them in: a string when the catalog keeps one.</summary>
internal static class ProtoConvert
{
    public static Proto.Id ItemId(long id, string? name) => name is null ? new Proto.Id { Num = id } : new Proto.Id { Str = name };

    /// <summary>The id of an item the catalog has (with its string, if it has one).</summary>
    public static Proto.Id ItemId(LiveCatalog catalog, long id) =>
        ItemId(id, catalog.Items.TryGetOrdinal(id, out int ordinal) ? catalog.Items.NameOf(ordinal) : null);

    public static Proto.RecommendResponse ToProto(Pipeline.Abstractions.RecommendResponse response, LiveCatalog catalog)
    {
        var proto = new Proto.RecommendResponse
        {
            RequestId = response.RequestId,
            Surface = response.Surface,
            Version = response.Version,
            Ranker = response.Ranker,
            Experiment = response.Experiment ?? "",
            Variant = response.Variant ?? "",
        };
        foreach (var item in response.Items)
        {
            proto.Items.Add(new Proto.RecommendedItem
            {
                Item = ItemId(item.ItemId, item.ItemName),
                Score = item.Score,
                Source = item.Source,
                Exploration = item.Exploration,
                Propensity = item.Propensity,
            });
        }
        proto.DroppedSources.AddRange(response.DroppedSources);
        proto.Degraded = response.Degraded;
        proto.SourceShare = response.SourceShare;
        if (response.Trace is { } trace)
        {
            foreach (var stage in trace.Stages)
            {
                var t = new Proto.StageTrace { Stage = stage.Stage };
                foreach (long id in stage.ItemIds)
                    t.Items.Add(ItemId(catalog, id));
                t.Scores.AddRange(stage.Scores);
                t.Sources.AddRange(stage.Sources);
                proto.Trace.Add(t);
            }
        }
        return proto;
    }

    public static Timestamp? Time(DateTimeOffset? time) => time is { } t ? Timestamp.FromDateTimeOffset(t) : null;
}
