using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MonitoredService.Observability.Settings;

/// <summary>
/// The settings of one host, each decided once. A section is bound (its <see cref="RootKeyAttribute"/>
/// keys too) and validated the first time it is asked for while services are registered; that
/// same instance is what <c>IOptions&lt;T&gt;</c> serves afterwards, validated again by every validator
/// in the container at start (ValidateOnStart), so that a bad value stops the host with its key.
/// </summary>
/// <remarks>
/// Who reads what: registration (<c>AddX</c>), the endpoint map (<c>MapX</c>) and the logger, which
/// all run before the host validates anything, read this cache; middleware (built at start) and
/// runtime code read <c>IOptions&lt;T&gt;</c>. For an invalid section the cache answers the
/// defaults: only so that the host can be built and report every failure at start; it never
/// serves with them. Settings do not reload: they are facts of the running host.
/// </remarks>
public sealed class SettingsCache
{
    private readonly IHostApplicationBuilder _builder;
    private readonly Dictionary<Type, object> _sections = [];

    private SettingsCache(IHostApplicationBuilder builder)
    {
        _builder = builder;
        // The application's assembly (the entry assembly is the test host under WebApplicationFactory).
        Identity = ServiceIdentity.From(builder.Configuration, builder.Environment,
            Assembly.Load(new AssemblyName(builder.Environment.ApplicationName)));
        builder.Services.AddSingleton(Identity);
        builder.Services.AddSingleton(this);
    }

    /// <summary>Who is emitting: the log fields, the trace resource and the build-info metric.</summary>
    internal ServiceIdentity Identity { get; }

    /// <summary>The cache of the host being built: made on the first call, the same one after.</summary>
    public static SettingsCache Of(IHostApplicationBuilder builder)
    {
        if (!builder.Properties.TryGetValue(typeof(SettingsCache), out var cache))
        {
            builder.Properties[typeof(SettingsCache)] = cache = new SettingsCache(builder);
        }

        return (SettingsCache)cache;
    }

    /// <summary>
    /// The section's settings, bound and validated on the first call (which also registers them
    /// as the host's <c>IOptions&lt;T&gt;</c>). An invalid section gives the defaults; see the remarks.
    /// </summary>
    public TOptions Get<TOptions>()
        where TOptions : class, IOptionsSection, new()
    {
        if (_sections.TryGetValue(typeof(TOptions), out var known))
        {
            return ((CachedSection<TOptions>)known).Usable;
        }

        if (_builder.Services.IsReadOnly)
        {
            throw new InvalidOperationException($"{TOptions.SectionName} was not read while services were registered; read it in an AddX method.");
        }

        var section = Bind<TOptions>(_builder.Configuration);
        _sections[typeof(TOptions)] = section;
        _builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, DataAnnotationsKeyValidator<TOptions>>());
        _builder.Services.AddSingleton<IOptionsFactory<TOptions>>(services =>
            new CachedOptionsFactory<TOptions>(section, services.GetServices<IValidateOptions<TOptions>>()));
        _builder.Services.AddOptions<TOptions>().ValidateOnStart();
        return section.Usable;
    }

    private static CachedSection<TOptions> Bind<TOptions>(IConfiguration configuration)
        where TOptions : class, IOptionsSection, new()
    {
        var options = new TOptions();
        try
        {
            configuration.GetSection(TOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            return new CachedSection<TOptions>(options, ex, valid: false);
        }

        foreach (var property in typeof(TOptions).GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (property.GetCustomAttribute<RootKeyAttribute>() is { } root)
            {
                property.SetValue(options, configuration[root.Key]);
            }
        }

        return new CachedSection<TOptions>(options, null, new DataAnnotationsKeyValidator<TOptions>().Validate(null, options).Succeeded);
    }
}
