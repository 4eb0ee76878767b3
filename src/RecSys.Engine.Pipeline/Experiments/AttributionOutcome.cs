namespace RecSys.Engine.Pipeline.Experiments;

/// <summary>What click attribution made of one click or purchase that carries a request id.</summary>
internal enum AttributionOutcome
{
    /// <summary>Credited to the variant that showed the item in that response.</summary>
    Credited,

    /// <summary>That shown item was credited already (a click, then a purchase of it): counted once.</summary>
    AlreadyCredited,

    /// <summary>
    /// Credited to no variant: the request id is unknown (never an experiment response, or older than the window),
    /// belongs to another user, or its response did not show the item.
    /// </summary>
    NotAttributed,
}
