using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Options;

namespace MonitoredService.Items;

/// <summary>The items store (<c>Store</c>): an embedded SQLite file by default.</summary>
public sealed class StoreOptions : IOptionsSection
{
    public static string SectionName => "Store";

    /// <summary>The SQLite file; a relative path is under the content root. Its directory is created.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "data/items.db";

    /// <summary>Longest a store command may wait, including for a lock held by another writer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
