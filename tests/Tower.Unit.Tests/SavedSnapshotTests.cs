using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Tower.Gateway.Configuration;
using Tower.Gateway.Infrastructure;

namespace Tower.Unit.Tests;

/// <summary>The gateway's saved configuration: served after a restart while Admin is down, unreadable without its key.</summary>
public sealed class SavedSnapshotTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tower-saved-" + Guid.NewGuid().ToString("N")[..8]);

    private SavedSnapshot Saved(string? key) =>
        new(Options.Create(new GatewayOptions { StateDirectory = _directory, SnapshotKey = key }));

    [Fact]
    public void A_saved_snapshot_reads_back_as_it_was_saved()
    {
        var json = Encoding.UTF8.GetBytes("{\"secrets\": {\"token\": \"hunter2\"}}");

        Saved("key one").Save(json);

        Assert.Equal(json, Saved("key one").Read());
    }

    [Fact]
    public void The_saved_file_does_not_show_the_secret_values_it_holds()
    {
        Saved("key one").Save(Encoding.UTF8.GetBytes("{\"secrets\": {\"token\": \"hunter2-very-secret\"}}"));

        var stored = File.ReadAllBytes(Path.Combine(_directory, SavedSnapshot.FileName));
        Assert.DoesNotContain("hunter2", Encoding.Latin1.GetString(stored), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, SavedSnapshot.FileName)));
        }
    }

    [Fact]
    public void Another_key_cannot_read_the_saved_snapshot()
    {
        Saved("key one").Save("{}"u8.ToArray());

        Assert.ThrowsAny<CryptographicException>(() => Saved("key two").Read());
    }

    [Fact]
    public void An_altered_file_is_refused()
    {
        Saved("key one").Save("{\"webhooks\": []}"u8.ToArray());
        var path = Path.Combine(_directory, SavedSnapshot.FileName);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);

        Assert.ThrowsAny<CryptographicException>(() => Saved("key one").Read());
    }

    [Fact]
    public void Without_a_key_nothing_is_saved_or_read()
    {
        var saved = Saved(null);
        saved.Save("{}"u8.ToArray());

        Assert.False(saved.Enabled);
        Assert.False(Directory.Exists(_directory) && Directory.EnumerateFiles(_directory).Any());
        Assert.Null(saved.Read());
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
