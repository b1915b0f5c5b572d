using System.Runtime.CompilerServices;

namespace MonitoredService.InProcess.Tests.Infrastructure;

/// <summary>
/// The suite's hosts share one thread pool, and the tests of a hung store block pool threads as a
/// synchronous driver does (until the test releases them). A cold pool adds threads at about two a
/// second, so one test's hung queries could delay another test's probe by seconds and fail its
/// "answers within" bound. The pool starts with enough threads for the suite's parallelism; one
/// service in its own process never shares its pool with other hosts, so this changes nothing a
/// test asserts about the service.
/// </summary>
internal static class TestThreadPool
{
    [ModuleInitializer]
    internal static void StartWithEnoughThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), completionPorts);
    }
}
