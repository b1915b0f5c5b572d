namespace MonitoredService.Testing;

/// <summary>Where the build put the service: src/MonitoredService/bin/{Configuration}/net10.0.</summary>
public static class ServiceBinaries
{
    private static readonly Lazy<string> Location = new(Find);

    public static string Directory => Location.Value;

    public static string Assembly => Path.Combine(Directory, "MonitoredService.dll");

    private static string Find()
    {
        // The tests (and the harness) run from tests/<project>/bin/{Configuration}/{tfm}/.
        var testBinaries = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        var targetFramework = testBinaries.Name;
        var configuration = testBinaries.Parent!.Name;
        var directory = Repository.Path("src", "MonitoredService", "bin", configuration, targetFramework);
        return File.Exists(Path.Combine(directory, "MonitoredService.dll"))
            ? directory
            : throw new InvalidOperationException($"The service is not built at {directory}.");
    }
}
