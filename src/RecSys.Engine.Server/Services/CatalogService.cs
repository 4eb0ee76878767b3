using Grpc.Core;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Pipeline;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Auth;
using RecSys.Engine.Server.Validation;

namespace RecSys.Engine.Server.Services;

/// <summary>
/// recsys.v1.Catalog over the pipeline. Every call is validated whole before any of it is applied, so a refusal names
/// the field and changes nothing.
/// </summary>
internal sealed class CatalogService(ServingContext serving, EdgeRules rules) : Catalog.CatalogBase
{
    private RecommendationPipeline Pipeline => serving.Pipeline;

    [RequiresRole(ApiRole.Write)]
    public override async Task<UpsertItemsResponse> UpsertItems(IAsyncStreamReader<UpsertItemsRequest> requestStream, ServerCallContext context)
    {
        var upserts = new List<ItemUpsert>();
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            EdgeRules.Count(upserts.Count + message.Items.Count, "items", rules.Limits.MaxItemsPerCall, "Server:Limits:MaxItemsPerCall");
            foreach (var item in message.Items)
                upserts.Add(CheckItem(item, $"items[{upserts.Count}]"));
        }
        // Applied in order once all are known good, as one batch: one store commit and one journal fsync for the call
        // (group commit), not one per item. The token counts until the writes start.
        await Pipeline.UpsertItemsAsync(upserts, context.CancellationToken).ConfigureAwait(false);
        return new UpsertItemsResponse { Upserted = upserts.Count };
    }

    private ItemUpsert CheckItem(Item item, string at)
    {
        string? text = rules.Text(item.Id, at + ".id");
        long key = rules.Key(item.Id, at + ".id");
        string? name = text is not null && !IsCanonical(text, key) ? text : null; // "42" is the number 42
        var items = Pipeline.Catalog.Items;
        if (items.TryGetOrdinal(key, out int existing) && items.NameOf(existing) != name)
            throw EdgeRules.Invalid(at + ".id", $"maps to key {key}, which the catalog holds for id '{items.NameOf(existing) ?? key.ToString(System.Globalization.CultureInfo.InvariantCulture)}'; rename one");
        var policy = ItemPolicyFlags.None;
        for (int p = 0; p < item.Policies.Count; p++)
        {
            int bit = (int)item.Policies[p];
            if (bit is < 1 or > 6)
                throw EdgeRules.Invalid($"{at}.policies[{p}]", $"unknown policy {bit} (ItemPolicy values 1..6)");
            policy |= (ItemPolicyFlags)(1u << (bit - 1));
        }
        float[]? vector = null;
        if (item.ContentVector.Count > 0)
        {
            int dimension = Pipeline.Version.Models.Content?.Dimension
                ?? throw EdgeRules.Invalid(at + ".content_vector", "the active model version has no content space");
            vector = EdgeRules.Vector(item.ContentVector, dimension, at + ".content_vector");
            if (!vector.AsSpan().ContainsAnyExcept(0f))
                throw EdgeRules.Invalid(at + ".content_vector", "all zeros (leave it empty to encode the item's text instead)");
        }
        var attributes = new ItemAttributes
        {
            Title = rules.String(item.Title, at + ".title"),
            Categories = rules.Strings(item.Categories, at + ".categories"),
            Tags = rules.Strings(item.Tags, at + ".tags"),
            PublishedAtMs = EdgeRules.UnixMs(item.PublishedAt, at + ".published_at") ?? 0,
            PolicyFlags = policy,
            ContentVector = vector,
        };
        return new ItemUpsert(key, name, attributes);
    }

    private static bool IsCanonical(string text, long key) => key.ToString(System.Globalization.CultureInfo.InvariantCulture) == text;

    [RequiresRole(ApiRole.Write)]
    public override async Task<DeleteItemsResponse> DeleteItems(DeleteItemsRequest request, ServerCallContext context)
    {
        EdgeRules.Count(request.Items.Count, "items", rules.Limits.MaxItemsPerCall, "Server:Limits:MaxItemsPerCall");
        var keys = new long[request.Items.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = rules.Key(request.Items[i], $"items[{i}]");
            if (!Pipeline.Catalog.Items.TryGetOrdinal(keys[i], out _))
                throw EdgeRules.NotFound($"items[{i}]", $"unknown item {keys[i]}; nothing was deleted");
        }
        int deleted = await Pipeline.DeleteItemsAsync(keys, context.CancellationToken).ConfigureAwait(false);
        return new DeleteItemsResponse { Deleted = deleted };
    }

    [RequiresRole(ApiRole.Write)]
    public override async Task<UpsertUsersResponse> UpsertUsers(UpsertUsersRequest request, ServerCallContext context)
    {
        EdgeRules.Count(request.Users.Count, "users", rules.Limits.MaxItemsPerCall, "Server:Limits:MaxItemsPerCall");
        var users = new (long Key, UserAttributes Attributes)[request.Users.Count];
        for (int i = 0; i < users.Length; i++)
        {
            var u = request.Users[i];
            string at = $"users[{i}]";
            // The pipeline refuses these too, but one user at a time: checked here first so a refused batch changes nothing.
            if (u.Age is < 0 or > 150)
                throw EdgeRules.Invalid(at + ".age", $"must be in 0..150 (0 = unknown; got {u.Age})");
            users[i] = (rules.Key(u.Id, at + ".id"), new UserAttributes
            {
                Age = u.Age,
                Gender = rules.String(u.Gender, at + ".gender"),
                Occupation = rules.String(u.Occupation, at + ".occupation"),
                Country = rules.String(u.Country, at + ".country"),
                OnboardingCategories = rules.Strings(u.OnboardingCategories, at + ".onboarding_categories"),
                CreatedAtMs = EdgeRules.UnixMs(u.CreatedAt, at + ".created_at") ?? 0,
            });
        }
        foreach (var (key, attributes) in users)
            await Pipeline.UpsertUserAsync(key, attributes, context.CancellationToken).ConfigureAwait(false);
        return new UpsertUsersResponse { Upserted = users.Length };
    }

    [RequiresRole(ApiRole.Admin)]
    public override async Task<BulkLoadEmbeddingsResponse> BulkLoadEmbeddings(IAsyncStreamReader<EmbeddingChunk> requestStream, ServerCallContext context)
    {
        var state = serving.RequireState(context.Method);
        EmbeddingImport? import = null;
        try
        {
            int chunk = 0, dimension = 0;
            await foreach (var c in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                string at = $"chunks[{chunk}]";
                if (import is null)
                {
                    (import, dimension) = BeginImport(state, c, at);
                }
                EdgeRules.Count(c.Ids.Count, at + ".ids", rules.Limits.MaxRowsPerChunk, "Server:Limits:MaxRowsPerChunk");
                if (c.Vectors.Count != (long)c.Ids.Count * dimension)
                    throw EdgeRules.Invalid(at + ".vectors", $"{c.Vectors.Count} values for {c.Ids.Count} ids of {dimension} values each");
                float[] vectors = [.. c.Vectors];
                for (int r = 0; r < c.Ids.Count; r++)
                {
                    string? text = rules.Text(c.Ids[r], $"{at}.ids[{r}]");
                    long key = rules.Key(c.Ids[r], $"{at}.ids[{r}]");
                    var row = vectors.AsSpan(r * dimension, dimension);
                    try
                    {
                        if (text is not null && !IsCanonical(text, key))
                            import.AddRow(text, row);
                        else
                            import.AddRow(key, row);
                    }
                    catch (EmbeddingRowException e)
                    {
                        string field = e.Field == "id" ? $"{at}.ids[{r}]" : $"{at}.vectors[{r * dimension}..{(r + 1) * dimension})";
                        throw EdgeRules.Invalid(field, $"row {e.Row} of the load: {e.Field}: {e.Reason}; nothing was loaded");
                    }
                }
                chunk++;
            }
            if (import is null || import.RowsAccepted == 0)
                throw EdgeRules.Invalid("chunks", import is null ? "no chunks: nothing to load" : $"no row was accepted ({import.RowsSkipped} skipped): nothing to load");
            var completed = import;
            var version = await Task.Run(() => completed.Complete(context.CancellationToken), context.CancellationToken).ConfigureAwait(false);
            var response = new BulkLoadEmbeddingsResponse
            {
                Version = version.Id,
                RowsRead = import.RowsRead,
                RowsAccepted = import.RowsAccepted,
                RowsSkipped = import.RowsSkipped,
                NewItems = import.NewItems,
            };
            response.Skipped.AddRange(import.SkippedMessages);
            return response;
        }
        finally
        {
            import?.Dispose(); // before Complete: no version is left behind
        }
    }

    /// <summary>The first chunk says what is loaded; checked here so a bad name, dimension or index spec is refused before any row.</summary>
    private (EmbeddingImport Import, int Dimension) BeginImport(ServingState state, EmbeddingChunk first, string at)
    {
        if (first.Dimension < 1)
            throw EdgeRules.Invalid(at + ".dimension", $"must be at least 1 (got {first.Dimension})");
        if (first.Name.Length == 0)
            throw EdgeRules.Invalid(at + ".name", "required: the embedding set's name");
        var metric = first.Metric switch
        {
            Metric.Unspecified or Metric.Cosine => DistanceMetric.Cosine,
            Metric.InnerProduct => DistanceMetric.InnerProduct,
            Metric.L2 => DistanceMetric.L2,
            _ => throw EdgeRules.Invalid(at + ".metric", $"unknown metric {(int)first.Metric}"),
        };
        var options = new EmbeddingImportOptions
        {
            Name = rules.String(first.Name, at + ".name"),
            Dimension = first.Dimension,
            Metric = metric,
            Index = rules.String(first.IndexSpec, at + ".index_spec", new EmbeddingImportOptions { Name = "-" }.Index),
            VersionId = first.Version.Length == 0 ? null : rules.String(first.Version, at + ".version"),
            Description = rules.String(first.Description, at + ".description"),
            SkipBadRows = first.SkipBadRows,
            AddUnknownItems = true,
        };
        if (options.VersionId is { } id && state.Registry.TryGet(id, out _))
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"{at}.version: version '{id}' exists already"));
        try
        {
            return (EmbeddingImport.Begin(state.Registry, state.ActiveVersionId, options), first.Dimension);
        }
        catch (IndexSpecException e)
        {
            throw EdgeRules.Invalid(at + ".index_spec", e.Message);
        }
        catch (ArgumentException e) when (e.ParamName is nameof(EmbeddingImportOptions.Name) or "id")
        {
            string field = e.ParamName == "id" ? ".version" : ".name";
            throw EdgeRules.Invalid(at + field, e);
        }
    }
}
