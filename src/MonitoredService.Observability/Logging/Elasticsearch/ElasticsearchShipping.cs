using System.Net.Http.Headers;
using System.Text;
using Serilog.Configuration;
using Serilog.Formatting;

namespace MonitoredService.Observability.Logging.Elasticsearch;

/// <summary>Adds the Elasticsearch sink to the logger when <see cref="ElasticsearchOptions.Url"/> is set.</summary>
internal static class ElasticsearchShipping
{
    public static void WriteTo(
        LoggerSinkConfiguration writeTo, ITextFormatter formatter, ElasticsearchOptions options, LogShippingMetrics metrics, TimeProvider time)
    {
        if (options.Url is null)
        {
            return;
        }

        metrics.Declare(LogShippingMetrics.Elasticsearch,
            LogShippingMetrics.DropReason.QueueFull, LogShippingMetrics.DropReason.Rejected,
            LogShippingMetrics.DropReason.RetriesExhausted, LogShippingMetrics.DropReason.Shutdown);
        var state = new ShippingState(options.ShutdownTimeout, time);
        var bulk = new ElasticsearchBulkSink(CreateClient(options), options, formatter, state, metrics, time);
        writeTo.Sink(LoggerSinkConfiguration.Wrap(
            batching => new ShippingQueue(batching, state, metrics, options.QueueLimit, LogShippingMetrics.Elasticsearch),
            wrapped => wrapped.Sink(bulk, new BatchingOptions
            {
                BatchSizeLimit = options.BatchSize,
                BufferingTimeLimit = options.Period,
                QueueLimit = null, // bounded and counted by ShippingQueue instead
            })));
    }

    private static HttpClient CreateClient(ElasticsearchOptions options)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each request has its own, shorter at shutdown
        };
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", options.ApiKey);
        }
        else if (!string.IsNullOrEmpty(options.Username))
        {
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}"));
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }

        return client;
    }
}
