using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;
#if (WithPostgres)
using Npgsql;
#endif

namespace MonitoredService.Items;

public enum StoreProvider
{
    /// <summary>An embedded SQLite file: no other process needed; one replica only.</summary>
    Sqlite,
#if (WithPostgres)

    /// <summary>A PostgreSQL database (<c>ConnectionStrings:Items</c>), shared by every replica.</summary>
    PostgreSql,
#endif
}

#if (WithPostgres)
/// <summary>The items store (<c>Store</c>): an embedded SQLite file by default, or PostgreSQL.</summary>
public sealed class StoreOptions : IOptionsSection, IValidatableObject
#else
/// <summary>The items store (<c>Store</c>): an embedded SQLite file.</summary>
public sealed class StoreOptions : IOptionsSection
#endif
{
    public static string SectionName => "Store";
#if (WithPostgres)

    /// <summary>The configuration key of the PostgreSQL connection string (a secret: from a Secret, never a ConfigMap).</summary>
    public const string ConnectionStringKey = "ConnectionStrings:Items";
#endif

    /// <summary>The store: <c>Sqlite</c> (default), or <c>PostgreSql</c> where the template's option keeps it.</summary>
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>The SQLite file; a relative path is under the content root. Its directory is created.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "data/items.db";

    /// <summary>Longest a store command may wait, including for a lock held by another writer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);
#if (WithPostgres)

    /// <summary>Longest opening a PostgreSQL connection may take (a server that does not answer).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The PostgreSQL connection string (it holds a password: never logged, never echoed).</summary>
    [RootKey(ConnectionStringKey)]
    public string? ConnectionString { get; internal set; }

    /// <summary>PostgreSQL needs a connection string that parses; the message never echoes it.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider != StoreProvider.PostgreSql)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("a connection string is required when Store:Provider is PostgreSql.", [nameof(ConnectionString)]);
            yield break;
        }

        string? error = null;
        try
        {
            _ = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException)
        {
            error = "not a valid PostgreSQL connection string.";
        }

        if (error is not null)
        {
            yield return new ValidationResult(error, [nameof(ConnectionString)]);
        }
    }
#endif
}
