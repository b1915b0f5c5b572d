using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace MonitoredService.Observability.Tracing;

/// <summary>
/// The sampler of <c>OTEL_TRACES_SAMPLER</c> and <c>OTEL_TRACES_SAMPLER_ARG</c>, as the OpenTelemetry
/// specification names them (default <c>parentbased_always_on</c>; ratio 1.0 when the argument is
/// unset). Unlike the SDK, which falls back silently, an unknown value stops the service at start.
/// </summary>
internal static class SamplerSettings
{
    public const string SamplerKey = "OTEL_TRACES_SAMPLER";
    public const string ArgumentKey = "OTEL_TRACES_SAMPLER_ARG";

    public static Sampler CreateOrDefault(IConfiguration configuration) =>
        TryCreate(configuration, out var sampler, out _) ? sampler : new ParentBasedSampler(new AlwaysOnSampler());

    public static bool TryCreate(IConfiguration configuration, out Sampler sampler, out string? error)
    {
        var name = configuration[SamplerKey]?.Trim().ToLowerInvariant();
        var argument = configuration[ArgumentKey]?.Trim();
        var ratio = 1.0;
        error = null;
        if (name is "traceidratio" or "parentbased_traceidratio" && !string.IsNullOrEmpty(argument)
            && !(double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out ratio) && ratio is >= 0 and <= 1))
        {
            error = $"{ArgumentKey}: '{argument}' is not a ratio between 0 and 1.";
            ratio = 1;
        }

        sampler = name switch
        {
            null or "" or "parentbased_always_on" => new ParentBasedSampler(new AlwaysOnSampler()),
            "parentbased_always_off" => new ParentBasedSampler(new AlwaysOffSampler()),
            "parentbased_traceidratio" => new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)),
            "always_on" => new AlwaysOnSampler(),
            "always_off" => new AlwaysOffSampler(),
            "traceidratio" => new TraceIdRatioBasedSampler(ratio),
            _ => null!,
        };
        if (sampler is null)
        {
            error = $"{SamplerKey}: '{name}' is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio.";
            sampler = new ParentBasedSampler(new AlwaysOnSampler());
        }

        return error is null;
    }
}

/// <summary>Stops the service at start on a sampler setting it would otherwise ignore.</summary>
internal sealed class SamplerSettingsValidator(IConfiguration configuration) : IValidateOptions<TracingOptions>
{
    public ValidateOptionsResult Validate(string? name, TracingOptions options) =>
        !options.Enabled || SamplerSettings.TryCreate(configuration, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(error!);
}
