using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using RecSys.Engine.Server.Api.V1;

namespace RecSys.Engine.Cli.Demo;

/// <summary>
/// The calls the demo makes through the generated client, as any application would (API key in x-api-key), and
/// their answers printed readably:
/// <code>
///   Recommend(user)            what the user sees now
///   SimilarItems(item)         the item page of the favourite category's hit
///   RecordEvents(likes)        the user likes items of a category they had barely touched (client stream)
///   Recommend(user)            the answer after the events: the new taste shows, the liked items are gone (seen)
///   Recommend(unknown user)    cold start: popular and trending items, no error
///   UpsertItems(new item)      an item of the user's favourite category added live; its page: content neighbours
///   RecordEvents(fans)         three users of that category like it: its CF row is folded in from theirs
///   SimilarItems(new item)     its page again: CF neighbours too
/// </code>
/// </summary>
internal sealed class DemoCalls(Recommender.RecommenderClient client, Catalog.CatalogClient catalog, string apiKey, DemoDataSet data, TextWriter output)
{
    private const int K = 8;

    private Metadata Headers => new() { { "x-api-key", apiKey } };

    private Timestamp? Now => data.HistoricalNow ? Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(data.NowMs)) : null;

    public async Task<DemoReport> RunAsync(DemoScenario s, CancellationToken cancellationToken)
    {
        // The server warmed its pipeline up before opening the port, but the first calls still JIT-compile the gRPC path
        // (client and server) and can outlast a source's budget (it would be dropped from the answer): three unprinted
        // calls first, for users the story does not show.
        for (int i = 0; i < 2; i++)
            await RecommendAsync(s.ColdUser, cancellationToken).ConfigureAwait(false);
        await RecommendAsync(s.WarmUpUser, cancellationToken).ConfigureAwait(false);

        var before = await RecommendAsync(s.User, cancellationToken).ConfigureAwait(false);
        Print($"Recommend: user {s.User} ({s.HistoryLength} events, mostly {s.Favourite}), home, k={K}  [before]", before);

        var similar = await client.SimilarItemsAsync(new SimilarItemsRequest { Item = IdOf(s.SimilarTo), K = K, Now = Now },
            Headers, cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        Print($"SimilarItems: item {s.SimilarTo} {data.Describe(s.SimilarTo)}", similar);

        long accepted = await RecordLikesAsync(s, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"RecordEvents: user {s.User} liked {s.Likes.Length} {s.NewTaste} items ({string.Join(", ", s.Likes)}): accepted {accepted}");
        output.WriteLine();

        var after = await RecommendAsync(s.User, cancellationToken).ConfigureAwait(false);
        Print($"Recommend: user {s.User} again, after the events  [after]", after);
        int newTaste = after.Items.Count(i => data.Describe(Text(i.Item)).Contains(s.NewTaste, StringComparison.Ordinal));
        int changed = after.Items.Count(i => !before.Items.Any(b => b.Item.Equals(i.Item)));
        output.WriteLine($"  -> {changed} of {after.Items.Count} items changed; {newTaste} now from {s.NewTaste} (was {before.Items.Count(i => data.Describe(Text(i.Item)).Contains(s.NewTaste, StringComparison.Ordinal))})");
        output.WriteLine();

        var cold = await RecommendAsync(s.ColdUser, cancellationToken).ConfigureAwait(false);
        Print($"Recommend: user {s.ColdUser} (unknown: cold start)", cold);

        var (newBefore, newAfter) = await NewItemAsync(s, cancellationToken).ConfigureAwait(false);
        return new DemoReport(Ids(before), Ids(similar), accepted, Ids(after), Ids(cold), before.Ranker, Ids(newBefore), Ids(newAfter));
    }

    /// <summary>
    /// An item added after training: its page from content alone, then, once three users of its category like it, from
    /// its folded-in CF row too.
    /// </summary>
    private async Task<(RecommendResponse Before, RecommendResponse After)> NewItemAsync(DemoScenario s, CancellationToken cancellationToken)
    {
        string title = $"A new {s.Favourite} item";
        using (var call = catalog.UpsertItems(Headers, cancellationToken: cancellationToken))
        {
            await call.RequestStream.WriteAsync(new UpsertItemsRequest { Items = { new Item { Id = IdOf(s.NewItem), Title = title, Categories = { s.Favourite } } } },
                cancellationToken).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            output.WriteLine($"UpsertItems: item {s.NewItem} \"{title}\" [{s.Favourite}], added now: upserted {(await call.ResponseAsync.ConfigureAwait(false)).Upserted}");
            output.WriteLine();
        }
        var before = await SimilarAsync(s.NewItem, cancellationToken).ConfigureAwait(false);
        Print($"SimilarItems: item {s.NewItem} (new: no events yet)", before);

        var batch = new RecordEventsRequest();
        foreach (string fan in s.Fans)
            batch.Events.Add(new Event { User = IdOf(fan), Item = IdOf(s.NewItem), Type = EventType.Like, Time = Now });
        long accepted = (await client.RecordEventsBatchAsync(batch, Headers, cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false)).Accepted;
        output.WriteLine($"RecordEvents: users {string.Join(", ", s.Fans)} (mostly {s.Favourite}) liked item {s.NewItem}: accepted {accepted}");
        output.WriteLine();

        var after = await SimilarAsync(s.NewItem, cancellationToken).ConfigureAwait(false);
        Print($"SimilarItems: item {s.NewItem} again, after {s.Fans.Length} users liked it  [new item, after]", after);
        string Sources(RecommendResponse r) => string.Join(", ", r.Items.GroupBy(i => i.Source).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}"));
        output.WriteLine($"  -> sources before: {Sources(before)}; after: {Sources(after)}");
        output.WriteLine();
        return (before, after);
    }

    private Task<RecommendResponse> SimilarAsync(string item, CancellationToken cancellationToken) =>
        client.SimilarItemsAsync(new SimilarItemsRequest { Item = IdOf(item), K = K, Now = Now }, Headers, cancellationToken: cancellationToken).ResponseAsync;

    private Task<RecommendResponse> RecommendAsync(string user, CancellationToken cancellationToken) =>
        client.RecommendAsync(new RecommendRequest { User = IdOf(user), K = K, Context = new RecommendContext { Now = Now } },
            Headers, cancellationToken: cancellationToken).ResponseAsync;

    private async Task<long> RecordLikesAsync(DemoScenario s, CancellationToken cancellationToken)
    {
        using var call = client.RecordEvents(Headers, cancellationToken: cancellationToken);
        var batch = new RecordEventsRequest();
        foreach (string item in s.Likes)
            batch.Events.Add(new Event { User = IdOf(s.User), Item = IdOf(item), Type = EventType.Like, Time = Now });
        await call.RequestStream.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return (await call.ResponseAsync.ConfigureAwait(false)).Accepted;
    }

    private void Print(string title, RecommendResponse response)
    {
        output.WriteLine(title);
        output.WriteLine($"  version {response.Version}, ranker {response.Ranker}, request {response.RequestId}");
        int rank = 0;
        foreach (var item in response.Items)
        {
            string id = Text(item.Item);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {++rank,2}. item {id,-8} {item.Score,9:F4}  {item.Source + (item.Exploration ? " (explore)" : ""),-22} {data.Describe(id)}"));
        }
        if (response.Items.Count == 0)
            output.WriteLine("  (no items)");
        foreach (string dropped in response.DroppedSources)
            output.WriteLine($"  dropped source: {dropped}");
        output.WriteLine();
    }

    /// <summary>The proto id of a data id: a number when it is the canonical text of one (as the server reads it), else a string.</summary>
    public static Id IdOf(string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n.ToString(CultureInfo.InvariantCulture) == id
            ? new Id { Num = n }
            : new Id { Str = id };

    private static string Text(Id id) => id.KindCase == Id.KindOneofCase.Num ? id.Num.ToString(CultureInfo.InvariantCulture) : id.Str;

    private static string[] Ids(RecommendResponse response) => [.. response.Items.Select(i => Text(i.Item))];
}
