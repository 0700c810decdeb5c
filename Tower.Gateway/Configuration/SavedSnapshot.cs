using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Tower.Gateway.Infrastructure;

namespace Tower.Gateway.Configuration;

/// <summary>
/// The last configuration snapshot, kept on disk so that a gateway restarted while Admin is
/// unreachable serves it (spec §9). It holds secret values, so it is encrypted (AES-256-GCM) with
/// a key the launcher passes in <c>Gateway:SnapshotKey</c> and keeps elsewhere; without a key
/// nothing is saved. Layout: a version byte, the nonce, the tag, the encrypted snapshot JSON.
/// </summary>
public sealed class SavedSnapshot
{
    public const string FileName = "snapshot.bin";

    private const byte Version = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int HeaderLength = 1 + NonceLength + TagLength;
    private static readonly byte[] KeyInfo = Encoding.ASCII.GetBytes("Tower gateway snapshot v1");

    private readonly string _directory;
    private readonly string _path;
    private readonly byte[]? _key;
    private readonly Lock _writing = new();
    private byte[] _lastSaved = [];

    public SavedSnapshot(IOptions<GatewayOptions> options)
    {
        _directory = options.Value.StateDirectory;
        _path = Path.Combine(_directory, FileName);
        _key = options.Value.SnapshotKey is { Length: > 0 } secret
            ? HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, salt: [], info: KeyInfo)
            : null;
    }

    /// <summary>Whether snapshots are saved at all (a key is configured).</summary>
    public bool Enabled => _key is not null;

    /// <summary>The saved snapshot's JSON, or null when there is none.</summary>
    /// <exception cref="CryptographicException">The file was not written with this key, or was altered.</exception>
    /// <exception cref="InvalidDataException">The file is not a saved snapshot of a known version.</exception>
    public byte[]? Read()
    {
        if (_key is null || !File.Exists(_path))
        {
            return null;
        }

        var sealedBytes = File.ReadAllBytes(_path);
        if (sealedBytes.Length < HeaderLength || sealedBytes[0] != Version)
        {
            throw new InvalidDataException($"{_path} is not a saved snapshot of version {Version}.");
        }

        var nonce = sealedBytes.AsSpan(1, NonceLength);
        var tag = sealedBytes.AsSpan(1 + nonce.Length, TagLength);
        var cipher = sealedBytes.AsSpan(HeaderLength);
        var json = new byte[cipher.Length];
        using var aes = new AesGcm(_key, tag.Length);
        aes.Decrypt(nonce, cipher, tag, json, sealedBytes.AsSpan(0, 1));
        _lastSaved = json;
        return json;
    }

    /// <summary>Saves <paramref name="json"/> unless it is what is saved already: written aside, flushed, then renamed over the old one.</summary>
    public void Save(byte[] json)
    {
        if (_key is null)
        {
            return;
        }

        lock (_writing)
        {
            if (json.AsSpan().SequenceEqual(_lastSaved))
            {
                return;
            }

            var sealedBytes = new byte[HeaderLength + json.Length];
            sealedBytes[0] = Version;
            var nonce = sealedBytes.AsSpan(1, NonceLength);
            RandomNumberGenerator.Fill(nonce);
            using (var aes = new AesGcm(_key, TagLength))
            {
                aes.Encrypt(nonce, json, sealedBytes.AsSpan(HeaderLength),
                    sealedBytes.AsSpan(1 + nonce.Length, TagLength), sealedBytes.AsSpan(0, 1));
            }

            Directory.CreateDirectory(_directory);
            var temporary = _path + ".new";
            var creation = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                // Readable by the gateway's own user only, from its creation on.
                creation.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(temporary, creation))
            {
                file.Write(sealedBytes);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, _path, overwrite: true);
            DirectorySync.Flush(_directory);
            _lastSaved = json;
        }
    }
}
