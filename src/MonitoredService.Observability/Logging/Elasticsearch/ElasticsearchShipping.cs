using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Options;
using Serilog.Configuration;
using Serilog.Formatting;

namespace MonitoredService.Observability.Logging.Elasticsearch;

/// <summary>Adds the Elasticsearch sink to the logger when <see cref="ElasticsearchOptions.Url"/> is set.</summary>
internal sealed class ElasticsearchShipping(IConfiguration configuration, LogShippingMetrics metrics, TimeProvider time)
{
    public void WriteTo(LoggerSinkConfiguration writeTo, ITextFormatter formatter)
    {
        // Read without throwing: the logger is built before options are validated; an invalid
        // section falls back to the defaults (no Url, no sink) and ValidateOnStart stops the host.
        var options = configuration.ReadOrDefaults<ElasticsearchOptions>();
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
            batching => new ShippingQueue(batching, state, metrics, options.QueueLimit),
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

public static class ElasticsearchShippingExtensions
{
    /// <summary>Validates the section always; adds the sink only when a URL is configured.</summary>
    public static IHostApplicationBuilder AddElasticsearchShipping(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ElasticsearchOptions>();
        if (builder.Configuration.ReadOrDefaults<ElasticsearchOptions>().Url is not null)
        {
            builder.Services.AddSingleton<ElasticsearchShipping>();
        }

        return builder;
    }
}
