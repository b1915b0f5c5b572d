using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MonitoredService.Observability.Options;

/// <summary>
/// Data-annotations validation whose failures name the configuration key
/// (<c>Section:Member</c>) rather than the CLR type, and never echo the offending value.
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

        return ValidateOptionsResult.Fail(results.Select(result =>
        {
            var member = result.MemberNames.FirstOrDefault();
            var key = member is null ? TOptions.SectionName : $"{TOptions.SectionName}:{member}";
            return $"{key}: {result.ErrorMessage}";
        }));
    }
}
