using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RecSys.Engine.Server.Tests.Support;

/// <summary>Collects what the server logs (level and message), for tests that check a warning was given.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _entries = new();

    public IReadOnlyCollection<(LogLevel Level, string Category, string Message)> Entries => _entries;

    /// <summary>A logging setup for <see cref="Hosting.RecSysServer"/>.StartAsync that writes here only.</summary>
    public void Configure(ILoggingBuilder logging) => logging.AddProvider(this).SetMinimumLevel(LogLevel.Information);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((logLevel, category, formatter(state, exception)));
    }
}
