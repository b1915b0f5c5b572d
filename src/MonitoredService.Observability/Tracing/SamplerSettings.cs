using System.Globalization;
using OpenTelemetry.Trace;

namespace MonitoredService.Observability.Tracing;

/// <summary>
/// The sampler of <c>OTEL_TRACES_SAMPLER</c> and <c>OTEL_TRACES_SAMPLER_ARG</c>, as the OpenTelemetry
/// specification names them (default <c>parentbased_always_on</c>; ratio 1.0 when the argument is
/// unset). <see cref="TracingOptions"/> validates them with <see cref="Error"/>, so that
/// <see cref="Create"/> sees only values it knows.
/// </summary>
internal static class SamplerSettings
{
    public const string SamplerKey = "OTEL_TRACES_SAMPLER";
    public const string ArgumentKey = "OTEL_TRACES_SAMPLER_ARG";

    private static readonly string[] Names =
        ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"];

    public static Sampler Create(TracingOptions options)
    {
        var ratio = Ratio(options.SamplerArgument) ?? 1.0;
        return Name(options.Sampler) switch
        {
            "parentbased_always_off" => new ParentBasedSampler(new AlwaysOffSampler()),
            "parentbased_traceidratio" => new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)),
            "always_on" => new AlwaysOnSampler(),
            "always_off" => new AlwaysOffSampler(),
            "traceidratio" => new TraceIdRatioBasedSampler(ratio),
            _ => new ParentBasedSampler(new AlwaysOnSampler()),
        };
    }

    /// <summary>The member and the message of what is wrong with the two settings, or null.</summary>
    public static (string Member, string Message)? Error(string? sampler, string? argument)
    {
        var name = Name(sampler);
        if (name.Length > 0 && !Names.Contains(name))
        {
            return (nameof(TracingOptions.Sampler), $"'{name}' is not one of {string.Join(", ", Names)}.");
        }

        if (name is "traceidratio" or "parentbased_traceidratio" && !string.IsNullOrWhiteSpace(argument) && Ratio(argument) is null)
        {
            return (nameof(TracingOptions.SamplerArgument), $"'{argument.Trim()}' is not a ratio between 0 and 1.");
        }

        return null;
    }

    private static string Name(string? sampler) => sampler?.Trim().ToLowerInvariant() ?? "";

    private static double? Ratio(string? argument) =>
        double.TryParse(argument?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1 ? ratio : null;
}
