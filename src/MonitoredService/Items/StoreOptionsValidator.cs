using Microsoft.Extensions.Options;
using Npgsql;

namespace MonitoredService.Items;

/// <summary>PostgreSQL needs a connection string that parses; the message never echoes it (it holds a password).</summary>
internal sealed class StoreOptionsValidator(IConfiguration configuration) : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        if (options.Provider != StoreProvider.PostgreSql)
        {
            return ValidateOptionsResult.Success;
        }

        var connectionString = configuration[StoreOptions.ConnectionStringKey];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return ValidateOptionsResult.Fail($"{StoreOptions.ConnectionStringKey}: a connection string is required when Store:Provider is PostgreSql.");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException)
        {
            return ValidateOptionsResult.Fail($"{StoreOptions.ConnectionStringKey}: not a valid PostgreSQL connection string.");
        }
    }
}
