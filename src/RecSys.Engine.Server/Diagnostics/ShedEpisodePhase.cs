namespace RecSys.Engine.Server.Diagnostics;

/// <summary>Where a run of refusals stands when it is reported.</summary>
public enum ShedEpisodePhase
{
    /// <summary>Calls have just started being refused; the window is the second before.</summary>
    Started,

    /// <summary>Still refusing, reported every so often; the window is the time since the last report.</summary>
    Continuing,

    /// <summary>Refusals have stopped (none for a quiet interval); the window is the episode, first refusal to last.</summary>
    Ended,
}
