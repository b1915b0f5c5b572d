using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace MonitoredService.Observability.Settings;

/// <summary>
/// Data-annotations validation (attributes, then <see cref="IValidatableObject"/>) whose failures name
/// the configuration key (<c>Section:Member</c>, or the member's <see cref="RootKeyAttribute"/> key)
/// rather than the CLR type, and never echo the offending value.
/// </summary>
internal sealed class DataAnnotationsKeyValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class, IOptionsSection
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(results.Select(result => $"{KeyOf(result.MemberNames.FirstOrDefault())}: {result.ErrorMessage}"));
    }

    /// <summary>The configuration key of a member of <typeparamref name="TOptions"/>.</summary>
    public static string KeyOf(string? member) =>
        member is null ? TOptions.SectionName
        : typeof(TOptions).GetProperty(member)?.GetCustomAttribute<RootKeyAttribute>() is { } root ? root.Key
        : $"{TOptions.SectionName}:{member}";
}
