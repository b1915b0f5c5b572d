using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MonitoredService.Observability.Options;

public static class OptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from its section, validates its data annotations at
    /// start-up and reports every failure with the full configuration key
    /// (<c>FaultInjection:ErrorRate: ...</c>), so that a bad value stops the process with a message
    /// an operator can act on.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services)
        where TOptions : class, IOptionsSection
    {
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<TOptions>, DataAnnotationsKeyValidator<TOptions>>());
        return services.AddOptions<TOptions>()
            .BindConfiguration(TOptions.SectionName)
            .ValidateOnStart();
    }

    /// <summary>
    /// The section's values for what is decided while services are registered or the logger is built
    /// (whether to add a listener at all, a queue size), before logging works and before validation:
    /// the bound values if they bind and validate, else the defaults. An invalid value still stops
    /// the host a moment later, through ValidateOnStart, with the key in the message and in the log.
    /// </summary>
    public static TOptions ReadOrDefaults<TOptions>(this IConfiguration configuration)
        where TOptions : class, IOptionsSection, new()
    {
        var options = new TOptions();
        try
        {
            configuration.GetSection(TOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException)
        {
            return new TOptions();
        }

        return new DataAnnotationsKeyValidator<TOptions>().Validate(null, options).Succeeded ? options : new TOptions();
    }
}
