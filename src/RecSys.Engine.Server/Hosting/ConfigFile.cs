using Microsoft.Extensions.Configuration;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Reads an appsettings-style JSON file and binds its sections strictly: a missing file, bad JSON, an unknown key or a
/// value of the wrong type is a <see cref="ServerConfigException"/> naming the file or the key. One reader for every
/// section (<see cref="ServerOptions"/>, <see cref="ServingOptions"/>).
/// </summary>
internal static class ConfigFile
{
    public static IConfigurationRoot Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new ServerConfigException(path, $"config file '{path}' does not exist");
        try
        {
            return new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new ServerConfigException(path, $"{path}: not valid JSON: {e.Message}");
        }
    }

    /// <summary>Binds <paramref name="section"/>; absent = <paramref name="fallback"/>.</summary>
    public static T Bind<T>(IConfigurationSection section, Func<T> fallback)
    {
        ArgumentNullException.ThrowIfNull(section);
        try
        {
            return section.Get<T>(o => o.ErrorOnUnknownConfiguration = true) ?? fallback();
        }
        catch (InvalidOperationException e)
        {
            // The binder's messages name the path ("Failed to convert configuration value at 'Server:Port' to type ...",
            // "'Portt' was not found on type ..."): keep them whole.
            throw new ServerConfigException(section.Path, $"{section.Path}: {e.Message}{(e.InnerException is null ? "" : " " + e.InnerException.Message)}");
        }
    }
}
