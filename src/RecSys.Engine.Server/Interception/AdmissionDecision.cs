namespace RecSys.Engine.Server.Interception;

/// <summary>What <see cref="AdmissionControl.TryEnter"/> decided for one call.</summary>
public enum AdmissionDecision
{
    /// <summary>Admitted: call <see cref="AdmissionControl.Exit"/> when it ends.</summary>
    Admitted,

    /// <summary>Refused: <see cref="Hosting.AdmissionOptions.MaxConcurrentCalls"/> calls are in flight.</summary>
    ConcurrencyLimit,

    /// <summary>Refused: work waits longer than <see cref="Hosting.AdmissionOptions.MaxQueueDelay"/> in the thread pool's queue.</summary>
    QueueDelay,
}
