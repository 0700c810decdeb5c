using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tower.Logging.GeoIp;

namespace Tower.Unit.Tests.GeoIp;

public sealed class CountryLookupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tower-geoip-").FullName;

    private CountryLookup Open(string databaseType, Func<string, Dictionary<string, object>> record)
    {
        var path = Path.Combine(_directory, databaseType + ".mmdb");
        File.WriteAllBytes(path, MmdbWriter.Build(databaseType,
        [
            ("81.2.69.0/24", record("GB")),
            ("8.8.8.0/24", record("US")),
            ("2001:218::/32", record("JP")),
            ("10.0.0.0/8", record("ZZ")),
        ]));
        return new CountryLookup(Options.Create(new GeoIpOptions { Database = path }), NullLogger<CountryLookup>.Instance);
    }

    public static TheoryData<string, string> Addresses => new()
    {
        { "81.2.69.142", "GB" },
        { "8.8.8.8", "US" },
        { "::ffff:8.8.8.8", "US" },
        { "2001:218:1:2::3", "JP" },
        { "2001:219::1", "" },
        { "1.1.1.1", "" },
        { "10.1.2.3", "" },
        { "127.0.0.1", "" },
        { "::1", "" },
        { "fe80::1", "" },
        { "not-an-ip", "" },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Db_ip_style_country_database(string address, string expected)
    {
        using var lookup = Open("ip-location-db country", code => new() { ["country_code"] = code });

        Assert.True(lookup.HasDatabase);
        Assert.Equal(expected, lookup.Find(address));
    }

    [Theory]
    [MemberData(nameof(Addresses))]
    public void MaxMind_country_database(string address, string expected)
    {
        using var lookup = Open("GeoLite2-Country", code => new() { ["country"] = new Dictionary<string, object> { ["iso_code"] = code } });

        Assert.Equal(expected, lookup.Find(address));
    }

    [Theory]
    [MemberData(nameof(Addresses))]
    public void MaxMind_city_database(string address, string expected)
    {
        using var lookup = Open("GeoIP2-City", code => new()
        {
            ["country"] = new Dictionary<string, object> { ["iso_code"] = code },
            ["city"] = new Dictionary<string, object> { ["names"] = new Dictionary<string, object> { ["en"] = "Somewhere" } },
        });

        Assert.Equal(expected, lookup.Find(address));
    }

    [Fact]
    public void No_database_means_an_empty_country_not_a_failure()
    {
        using var none = new CountryLookup(Options.Create(new GeoIpOptions()), NullLogger<CountryLookup>.Instance);
        using var missing = new CountryLookup(Options.Create(new GeoIpOptions { Database = Path.Combine(_directory, "absent.mmdb") }),
            NullLogger<CountryLookup>.Instance);

        Assert.False(none.HasDatabase);
        Assert.Equal("", none.Find("8.8.8.8"));
        Assert.False(missing.HasDatabase);
        Assert.Equal("", missing.Find("8.8.8.8"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
