namespace RecSys.Engine.LoadGen;

/// <summary>
/// The freshness probes of a run (<c>--freshness on</c>): each records a click on the user's top item, then asks again
/// until the item is gone (seen). Milliseconds from the RecordEvents send to the first answer without it;
/// <see cref="VisibleAtFirstAnswer"/>: probes whose very next answer already reflected the event.
/// </summary>
public sealed record FreshnessSummary(int Probes, int VisibleAtFirstAnswer, int NeverVisible, int Failed, double P50Ms, double MaxMs);
