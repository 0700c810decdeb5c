using MaxMind.Db;
using MaxMind.GeoIP2;
using Microsoft.Extensions.Options;
using Tower.Contracts.Networking;

namespace Tower.Logging.GeoIp;

/// <summary>
/// The ISO 3166 alpha-2 country of a client address, or empty: for private and special-purpose
/// ranges, for addresses the database does not know, and when there is no database (one warning
/// at start, never a failure). IPv4-mapped IPv6 addresses are looked up as IPv4.
/// </summary>
public sealed partial class CountryLookup : IDisposable
{
    private readonly Reader? _reader;
    private readonly DatabaseReader? _maxMind;
    private readonly bool _city;

    public CountryLookup(IOptions<GeoIpOptions> options, ILogger<CountryLookup> logger)
    {
        var path = options.Value.Database;
        if (string.IsNullOrWhiteSpace(path))
        {
            LogNoDatabase(logger, "none is configured (GeoIp:Database)");
            return;
        }

        try
        {
            _reader = new Reader(path, FileAccessMode.MemoryMapped);
            var type = _reader.Metadata.DatabaseType;
            if (type.StartsWith("GeoIP2-", StringComparison.Ordinal) || type.StartsWith("GeoLite2-", StringComparison.Ordinal))
            {
                // MaxMind's own databases are read through their typed reader.
                _maxMind = new DatabaseReader(path, FileAccessMode.MemoryMapped);
                _city = type.Contains("City", StringComparison.Ordinal);
            }

            LogDatabase(logger, path, type, _reader.Metadata.BuildDate);
        }
        catch (Exception exception) when (exception is IOException or InvalidDatabaseException or UnauthorizedAccessException)
        {
            LogNoDatabase(logger, $"{path} could not be opened: {exception.Message}");
        }
    }

    public bool HasDatabase => _reader is not null;

    public string Find(string ipAddress)
    {
        if (_reader is null || !IpRangeList.TryParseAddress(ipAddress, out var address) || IpRangeList.SpecialPurpose.Contains(address))
        {
            return "";
        }

        try
        {
            if (_maxMind is not null)
            {
                var iso = _city
                    ? (_maxMind.TryCity(address, out var city) ? city?.Country.IsoCode ?? city?.RegisteredCountry.IsoCode : null)
                    : (_maxMind.TryCountry(address, out var country) ? country?.Country.IsoCode ?? country?.RegisteredCountry.IsoCode : null);
                return Normalize(iso ?? "");
            }

            var record = _reader.Find<Dictionary<string, object>>(address);
            return record is null ? "" : CountryCode(record);
        }
        catch (Exception exception) when (exception is InvalidDatabaseException or MaxMind.GeoIP2.Exceptions.GeoIP2Exception)
        {
            return "";
        }
    }

    /// <summary><c>country_code</c> (DB-IP) or <c>country.iso_code</c> (MaxMind Country and City).</summary>
    private static string CountryCode(Dictionary<string, object> record)
    {
        if (record.TryGetValue("country_code", out var flat) && flat is string code)
        {
            return Normalize(code);
        }

        foreach (var key in new[] { "country", "registered_country" })
        {
            if (record.TryGetValue(key, out var nested) && nested is Dictionary<string, object> country
                && country.TryGetValue("iso_code", out var iso) && iso is string isoCode)
            {
                return Normalize(isoCode);
            }
        }

        return "";
    }

    private static string Normalize(string code) => code.Length == 2 ? code.ToUpperInvariant() : "";

    public void Dispose()
    {
        _maxMind?.Dispose();
        _reader?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "GeoIP database {Path} ({Type}, built {Built:yyyy-MM-dd})")]
    private static partial void LogDatabase(ILogger logger, string path, string type, DateTime built);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No GeoIP database: {Reason}; call logs will have an empty country")]
    private static partial void LogNoDatabase(ILogger logger, string reason);
}
