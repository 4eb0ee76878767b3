namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// A tower of a trained <see cref="TwoTowerModel"/> through the C# forward pass (<see cref="Ranking.MlpKernels"/>), with
/// per-thread buffers: after a thread's first call of a given size, encoding allocates nothing.
/// </summary>
public sealed class TowerEncoder : ITowerEncoder
{
    private readonly TwoTowerModel _model;
    private readonly TowerLayout _tower;
    private readonly ThreadLocal<TowerScratch> _scratch;

    internal TowerEncoder(TwoTowerModel model, TowerLayout tower)
    {
        _model = model;
        _tower = tower;
        _scratch = new ThreadLocal<TowerScratch>(() => new TowerScratch(tower, 1));
    }

    public TowerKind Kind => _tower.Kind;

    public int FeatureCount => _tower.Features;

    public int IdSlots => _tower.IdSlots;

    public long PaddingId => _model.PaddingId;

    public int Dimension => _tower.Dimension;

    public void Encode(ReadOnlySpan<float> features, ReadOnlySpan<long> ids, int n, Span<float> vectors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (features.Length < n * FeatureCount)
            throw new ArgumentException($"{n} rows x {FeatureCount} features need {n * FeatureCount} floats, got {features.Length}", nameof(features));
        if (ids.Length < n * IdSlots)
            throw new ArgumentException($"{n} rows x {IdSlots} id slots need {n * IdSlots} ids, got {ids.Length}", nameof(ids));
        if (vectors.Length < n * Dimension)
            throw new ArgumentException($"{n} rows x {Dimension} dimensions need {n * Dimension} floats, got {vectors.Length}", nameof(vectors));
        if (n > 0)
            _model.Forward(_tower, features, ids, n, _scratch.Value!, vectors);
    }
}
