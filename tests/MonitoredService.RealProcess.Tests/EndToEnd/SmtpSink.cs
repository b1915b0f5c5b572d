using System.Text.RegularExpressions;

namespace MonitoredService.RealProcess.Tests.EndToEnd;

/// <summary>
/// A real SMTP server for Alertmanager's email receivers: Debian's python3-aiosmtpd (the test command
/// installs it) on 127.0.0.1 and a free port, storing every message it accepts in a maildir.
/// </summary>
public sealed partial class SmtpSink : IAsyncDisposable
{
    /// <summary>Debian's interpreter, where python3-aiosmtpd installs (another python3 may come first on PATH).</summary>
    private const string Python = "/usr/bin/python3";

    private readonly BackgroundProcess _process;
    private readonly string _maildir;

    private SmtpSink(BackgroundProcess process, string maildir, int port)
    {
        _process = process;
        _maildir = maildir;
        Address = $"127.0.0.1:{port}";
    }

    /// <summary>host:port, Alertmanager's smarthost.</summary>
    public string Address { get; }

    public string LogPath => _process.LogPath;

    public static async Task<SmtpSink> StartAsync(DirectoryInfo directory)
    {
        var port = ServiceProcess.FreePort();
        var maildir = Path.Combine(directory.FullName, "maildir");
        var process = BackgroundProcess.Start(Python,
            ["-m", "aiosmtpd", "--nosetuid", "--listen", $"127.0.0.1:{port}", "--class", "aiosmtpd.handlers.Mailbox", maildir],
            Path.Combine(directory.FullName, "smtp.log"));
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        }, "the SMTP sink should listen", TimeSpan.FromSeconds(30));
        return new SmtpSink(process, maildir, port);
    }

    /// <summary>Every message received so far, its quoted-printable soft line breaks joined and =XX decoded.</summary>
    public IReadOnlyList<string> Messages()
    {
        var received = Path.Combine(_maildir, "new");
        return Directory.Exists(received)
            ? Directory.GetFiles(received).Select(file => Decode(File.ReadAllText(file))).ToArray()
            : [];
    }

    /// <summary>Waits for a message to <paramref name="to"/> that contains every one of <paramref name="texts"/>.</summary>
    public async Task<string> WaitForAsync(string to, TimeSpan bound, params string[] texts)
    {
        string? found = null;
        await Eventually.TrueAsync(() =>
        {
            found = Messages().FirstOrDefault(message => message.Contains($"To: {to}", StringComparison.Ordinal) && texts.All(text => message.Contains(text, StringComparison.Ordinal)));
            return Task.FromResult(found is not null);
        }, $"an email to {to} with {string.Join(", ", texts)}; received: {Messages().Count}", bound);
        return found!;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string Decode(string message) =>
        Hex().Replace(message.Replace("=\r\n", "", StringComparison.Ordinal).Replace("=\n", "", StringComparison.Ordinal),
            match => ((char)Convert.ToByte(match.Groups[1].Value, 16)).ToString());

    [GeneratedRegex("=([0-9A-F]{2})")]
    private static partial Regex Hex();
}
