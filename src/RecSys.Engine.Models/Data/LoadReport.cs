namespace RecSys.Engine.Models.Data;

/// <summary>What a load read and what it skipped (only with <see cref="LoadOptions.SkipBad"/>).</summary>
public sealed class LoadReport
{
    /// <summary>At most this many skipped-row messages are kept.</summary>
    public const int MaxMessages = 20;

    private readonly List<string> _messages = [];

    public long RowsRead { get; internal set; }

    public long RowsSkipped { get; private set; }

    public IReadOnlyList<string> SkippedMessages => _messages;

    internal void Skip(string message)
    {
        RowsSkipped++;
        if (_messages.Count < MaxMessages)
            _messages.Add(message);
    }
}
