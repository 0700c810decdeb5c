using System.Buffers;

namespace Tower.Gateway.Webhooks;

/// <summary>A pooled buffer for one request body, filled up to a limit.</summary>
internal sealed class BodyBuffer : IDisposable
{
    private byte[] _bytes = [];
    private int _length;

    public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, _length);

    public ReadOnlyMemory<byte> Memory => _bytes.AsMemory(0, _length);

    /// <summary>Reads the body; false when it is larger than <paramref name="limit"/>.</summary>
    public async Task<bool> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return false;
        }

        var capacity = limit + 1;
        _bytes = ArrayPool<byte>.Shared.Rent((int)Math.Min(capacity, Math.Max(request.ContentLength ?? 4096, 256) + 1));
        while (true)
        {
            if (_length > limit)
            {
                return false;
            }

            if (_length == _bytes.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(capacity, _bytes.Length * 2L));
                _bytes.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_bytes);
                _bytes = larger;
            }

            var read = await request.Body.ReadAsync(_bytes.AsMemory(_length, Math.Min(_bytes.Length, capacity) - _length), cancellationToken);
            if (read == 0)
            {
                return true;
            }

            _length += read;
        }
    }

    public void Dispose()
    {
        if (_bytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = [];
        }
    }
}
