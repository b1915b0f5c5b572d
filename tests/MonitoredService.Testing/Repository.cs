namespace MonitoredService.Testing;

/// <summary>Paths in the repository the tests run from (found by walking up to MonitoredService.sln).</summary>
public static class Repository
{
    private static readonly Lazy<string> RootPath = new(MonitoredService.Testing.RepositoryRoot.Find);

    public static string Root => RootPath.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static readonly Lazy<string> SchemasPath = new(() =>
    {
        string[] candidates =
        [
            Environment.GetEnvironmentVariable("MONITOREDSERVICE_SCHEMAS") ?? "",
            System.IO.Path.Combine(Root, "..", "shared", "schemas"),
            "/work/shared/schemas", // where this workplace keeps them, for a clone made elsewhere (CI)
        ];
        return candidates.Where(candidate => candidate.Length > 0).Select(System.IO.Path.GetFullPath).FirstOrDefault(Directory.Exists)
            ?? throw new InvalidOperationException(
                $"The shared JSON schemas are in none of {string.Join(", ", candidates.Where(c => c.Length > 0))}; set MONITOREDSERVICE_SCHEMAS.");
    });

    /// <summary>A file of the project's own JSON schemas (tests/schemas: the kinds the shared set lacks; SOURCES.md there).</summary>
    public static string ProjectSchema(params string[] parts) => Path(["tests", "schemas", .. parts]);

    /// <summary>A file of the shared JSON schemas (Kubernetes 1.32, monitoring.coreos.com, Grafana): ../shared/schemas.</summary>
    public static string Schema(params string[] parts) => System.IO.Path.Combine([SchemasPath.Value, .. parts]);
}
