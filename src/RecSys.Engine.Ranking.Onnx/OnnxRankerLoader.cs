using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Sources;

namespace RecSys.Engine.Ranking.Onnx;

/// <summary>
/// The registry's ranker hook on ONNX Runtime: a version's ranker file becomes an <see cref="OnnxPipelineRanker"/>,
/// after its feature schema is held against what the pipeline's feature writer fills for that version.
/// <code>
///   OnnxRanker.Load   the file's 'recsys.feature_schema' metadata: format, version (this build's), the feature list
///                     rebuilt from its groups; the input's width = the schema's feature count
///   history_window    = the pipeline's HistoryWindow (every user and affinity feature reads it)
///   counter_half_life_hours = the feature store's counter half-life (item_log_trend)
///   sources           each one a source the pipeline runs (a built-in one or one of the version's embedding sets):
///                     a name it never runs would read "retrieved nothing" on every request
///   categories        each one in the version's category table: one it lacks would never be set
/// </code>
/// A mismatch is an <see cref="InvalidDataException"/> naming the file and the field. The ranker belongs to the
/// version (the loader disposes it with the version's other resources, after its last request).
/// </summary>
public sealed class OnnxRankerLoader : IRankerLoader
{
    private readonly OnnxRankerOptions _options;
    private readonly int _historyWindow;
    private readonly double _counterHalfLifeHours;

    /// <param name="options">ONNX Runtime settings of every ranker loaded (execution provider auto|cuda|cpu, threads, sizes).</param>
    /// <param name="historyWindow">The serving pipeline's history window (PipelineConfig.HistoryWindow).</param>
    /// <param name="counterHalfLife">The feature store's counter half-life (null: the store's default, 24 h).</param>
    public OnnxRankerLoader(OnnxRankerOptions? options = null, int historyWindow = RankingFeatureSchema.DefaultHistoryWindow, TimeSpan? counterHalfLife = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historyWindow, 1);
        _options = options ?? new OnnxRankerOptions();
        _options.Validate();
        _historyWindow = historyWindow;
        _counterHalfLifeHours = counterHalfLife?.TotalHours ?? RankingFeatureSchema.DefaultCounterHalfLifeHours;
        if (!(_counterHalfLifeHours > 0))
            throw new ArgumentOutOfRangeException(nameof(counterHalfLife), counterHalfLife, "the counter half-life must be positive");
    }

    public IRanker Load(string path, RegistryVersion version)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(version);
        string origin = $"version '{version.Id}' ranker {path}";
        OnnxRanker ranker;
        try
        {
            ranker = OnnxRanker.Load(path, _options);
        }
        catch (OnnxRuntimeException e)
        {
            // Session creation is wrapped by OnnxRanker.Load; the warm-up run is not.
            throw new InvalidDataException($"{origin}: ONNX Runtime cannot run the model: {e.Message}", e);
        }
        try
        {
            if (Mismatch(ranker.Schema, version) is { } mismatch)
                throw new InvalidDataException($"{origin}: metadata '{OnnxMetadataKeys.FeatureSchema}' field {mismatch}");
            return new OnnxPipelineRanker(ranker);
        }
        catch
        {
            ranker.Dispose();
            throw;
        }
    }

    /// <summary>Null when the pipeline serving <paramref name="version"/> fills <paramref name="schema"/> as trained; else the field and how it differs.</summary>
    private string? Mismatch(RankingFeatureSchema schema, RegistryVersion version)
    {
        if (schema.HistoryWindow != _historyWindow)
            return $"'history_window' is {schema.HistoryWindow} events, the pipeline reads {_historyWindow} per request (PipelineConfig.HistoryWindow)";
        if (schema.CounterHalfLifeHours != _counterHalfLifeHours)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"'counter_half_life_hours' is {schema.CounterHalfLifeHours:G} h, the feature store's counters decay with a half-life of {_counterHalfLifeHours:G} h");
        }
        var served = new HashSet<string>(SourceNames.BuiltIn, StringComparer.Ordinal);
        foreach (var embedding in version.Manifest.Embeddings)
            served.Add(SourceNames.SimilarByEmbedding(embedding.Name));
        foreach (string source in schema.Sources)
        {
            if (!served.Contains(source))
                return $"'sources' names '{source}', which the pipeline never runs (it runs {string.Join(", ", served.Order(StringComparer.Ordinal))}): its features would read 'retrieved nothing' on every request";
        }
        if (schema.Categories.Count > 0)
        {
            KeyTable categories = version.LoadKeyTable("categories");
            foreach (string category in schema.Categories)
            {
                if (!categories.TryGetId(category, out _))
                    return $"'categories' names '{category}', which is not in version '{version.Id}''s category table: its feature would never be set";
            }
        }
        return null;
    }
}
