namespace MonitoredService.Testing;

/// <summary>
/// The repository a test or benchmark runs from: the first directory above its assembly that holds
/// MonitoredService.sln. One file, compiled into each test-side project that needs it.
/// </summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MonitoredService.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No MonitoredService.sln above {AppContext.BaseDirectory}.");
    }
}
