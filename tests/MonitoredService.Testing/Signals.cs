using System.Runtime.InteropServices;

namespace MonitoredService.Testing;

/// <summary>POSIX signals for the processes tests start (SIGTERM as Kubernetes sends it, SIGINT for PostgreSQL's fast shutdown, SIGSTOP/SIGCONT for a hung server); Linux numbering.</summary>
public static partial class Signals
{
    public const int Interrupt = 2;
    public const int Terminate = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Sends a signal to a process that may have ended meanwhile (ESRCH is not an error).</summary>
    public static void SendIfRunning(int pid, int signal)
    {
        const int NoSuchProcess = 3;
        if (Kill(pid, signal) != 0 && Marshal.GetLastPInvokeError() != NoSuchProcess)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>The unit of the CPU times in /proc (sysconf(_SC_CLK_TCK), 100 on Linux).</summary>
    public static long ClockTicksPerSecond { get; } = SystemConfiguration(ClockTicksName);

    private const int ClockTicksName = 2; // _SC_CLK_TCK

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SystemConfiguration(int name);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint EffectiveUserId();
}
