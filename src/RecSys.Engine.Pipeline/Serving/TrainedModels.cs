using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Popularity;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// The models a serving version is made of, trained or handed in: ALS (collaborative, item-to-item, fold-in),
/// the content encoder (content, search, new items), popularity and trending by segment (cold start), the sequence
/// neighbours ("watched next"). Any may be
/// missing; the two-tower retriever is added when trained. <see cref="Train"/> is the one recipe the registry builder and the offline pipeline evaluation share.
/// </summary>
public sealed record TrainedModels
{
    public ImplicitAls? Als { get; init; }

    public ContentEncoder? Content { get; init; }

    public PopularityModel? Popularity { get; init; }

    public PopularityModel? Trending { get; init; }

    /// <summary>Sequence neighbours ("watched next"), from the events' time order.</summary>
    public ItemKnn? Sequence { get; init; }

    /// <summary>
    /// The two-tower retriever (trained apart: <see cref="Train"/> does not train it); a version built with it serves the
    /// two-tower source (its item vectors in an index, its towers as ONNX files).
    /// </summary>
    public Models.TwoTower.TwoTowerModel? TwoTower { get; init; }

    /// <summary>
    /// Trains ALS, the content encoder (when the data has item metadata), popularity per segment (prior from the
    /// trending settings), trending and the sequence neighbours (unless <see cref="ModelSettings.SequenceNeighbors"/> is 0),
    /// with <paramref name="settings"/>' hyper-parameters.
    /// </summary>
    public static TrainedModels Train(TrainingData data, ModelSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        settings ??= new ModelSettings();
        var als = (ImplicitAls)ModelFactory.Create(ModelKind.Als, settings);
        als.Fit(data);
        cancellationToken.ThrowIfCancellationRequested();
        ContentEncoder? content = null;
        if (data.Catalog is not null)
        {
            content = (ContentEncoder)ModelFactory.Create(ModelKind.Content, settings);
            content.Fit(data);
        }
        var (popularity, trending) = FitPopularity(data, settings);
        ItemKnn? sequence = null;
        if (settings.SequenceNeighbors > 0)
        {
            sequence = (ItemKnn)ModelFactory.Create(ModelKind.Sequence, settings);
            sequence.Fit(data);
        }
        return new TrainedModels { Als = als, Content = content, Popularity = popularity, Trending = trending, Sequence = sequence };
    }

    /// <summary>
    /// Popularity per segment (prior from the trending settings) and trending, fitted on <paramref name="data"/>: the
    /// cold-start models, also for a catalog whose vectors come from elsewhere (a generated one) rather than ALS.
    /// </summary>
    public static (PopularityModel Popularity, PopularityModel Trending) FitPopularity(TrainingData data, ModelSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        settings ??= new ModelSettings();
        var popularity = new PopularityModel(new PopularityOptions { BySegment = true, SegmentPrior = settings.TrendingSegmentPrior }, "popularity");
        popularity.Fit(data);
        var trending = (PopularityModel)ModelFactory.Create(ModelKind.Trending, settings);
        trending.Fit(data);
        return (popularity, trending);
    }
}
