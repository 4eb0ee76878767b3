namespace RecSys.Engine.Cli;

/// <summary>Bad input the user can fix (a wrong option value, a missing file): exit code 2.</summary>
internal sealed class CliInputException(string message) : Exception(message);
