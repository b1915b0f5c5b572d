using System.Net;
using System.Net.Sockets;

namespace MonitoredService.RealProcess.Tests.EndToEnd;

/// <summary>
/// The path between a client and the service (a Service, an ingress) for the outside view: a TCP
/// forwarder on 127.0.0.1 and a free port to the service's port. <see cref="Break"/> takes the path
/// away (connections refused), while the service itself stays reachable directly.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public TcpForwarder(int target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Stops listening and drops open connections: every new connection is refused.</summary>
    public void Break()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    public async ValueTask DisposeAsync()
    {
        Break();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ForwardAsync(client));
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var down = client.GetStream().CopyToAsync(upstream.GetStream(), either.Token);
                var up = upstream.GetStream().CopyToAsync(client.GetStream(), either.Token);
                await Task.WhenAny(down, up);
                either.Cancel();
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // The path broken, or either side gone.
            }
        }
    }
}
