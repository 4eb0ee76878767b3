namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// What <see cref="TieredJitSettler"/> did: rounds run, methods the process compiled meanwhile, whether the last round
/// stayed under the quiet threshold (false: the rounds or the time ran out first), the methods compiled in and after
/// the last round, and the time it took.
/// </summary>
internal readonly record struct JitSettleResult(int Rounds, long MethodsCompiled, bool Settled, long LastRoundMethods, TimeSpan Elapsed);
