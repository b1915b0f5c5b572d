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
}
