namespace Tower.Gateway.Configuration;

/// <summary>Admin's internal snapshot endpoint.</summary>
public sealed class AdminClient(HttpClient http)
{
    /// <summary>The snapshot as Admin sent it (JSON), so that the gateway can save it unchanged.</summary>
    public Task<byte[]> SnapshotAsync(CancellationToken cancellationToken) =>
        http.GetByteArrayAsync("/internal/snapshot", cancellationToken);
}
