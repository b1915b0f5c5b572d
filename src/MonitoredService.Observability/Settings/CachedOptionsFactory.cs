using Microsoft.Extensions.Options;

namespace MonitoredService.Observability.Settings;

/// <summary>
/// Serves the one instance <see cref="SettingsCache"/> bound while services were registered, as
/// <c>IOptions&lt;T&gt;</c>, <c>IOptionsMonitor&lt;T&gt;</c> and <c>IOptionsSnapshot&lt;T&gt;</c>, after the
/// validators in the container have accepted it (the first time it is asked for: ValidateOnStart
/// does that at start). A binding failure or a validation failure is thrown every time it is asked for.
/// </summary>
internal sealed class CachedOptionsFactory<TOptions>(CachedSection<TOptions> section, IEnumerable<IValidateOptions<TOptions>> validators)
    : IOptionsFactory<TOptions>
    where TOptions : class, IOptionsSection, new()
{
    private readonly Lazy<TOptions> _validated = new(() =>
    {
        if (section.BindFailure is { } failure)
        {
            throw new InvalidOperationException(failure.Message, failure);
        }

        var failures = validators
            .Select(validator => validator.Validate(Options.DefaultName, section.Bound))
            .Where(result => result.Failed)
            .SelectMany(result => result.Failures ?? [])
            .ToList();
        return failures.Count == 0 ? section.Bound : throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), failures);
    });

    public TOptions Create(string name) => name == Options.DefaultName
        ? _validated.Value
        : throw new InvalidOperationException($"{TOptions.SectionName} has one instance per host, not named ones ('{name}').");
}
