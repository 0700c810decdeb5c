using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The per-run secret that every internal endpoint requires and every internal client sends.
/// The launcher generates it and hands it to each service as <c>Tower:ServiceKey</c>.
/// </summary>
public sealed class ServiceCredential
{
    public const string HeaderName = "X-Tower-Service-Key";
    public const string ConfigurationKey = "Tower:ServiceKey";

    private readonly byte[] _expected;

    public ServiceCredential(IConfiguration configuration)
    {
        var key = configuration[ConfigurationKey];
        if (string.IsNullOrEmpty(key) || key.Length < 32)
        {
            throw new InvalidOperationException(
                $"The service credential '{ConfigurationKey}' is missing or shorter than 32 characters; the launcher must provide it.");
        }

        Value = key;
        _expected = Encoding.UTF8.GetBytes(key);
    }

    public string Value { get; }

    public bool Matches(string? presented) =>
        presented is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expected);
}
