using System.Collections.Concurrent;

namespace Tower.Scripting.Workers;

/// <summary>
/// The <c>http</c> transport inside a worker: each request goes to the service as a frame and
/// waits for its answer, which the worker's read loop hands back by id.
/// </summary>
internal sealed class WorkerHttpBridge(Func<byte[], Task> send) : IScriptHttpTransport
{
    private readonly ConcurrentDictionary<int, TaskCompletionSource<ScriptHttpResponse>> _pending = new();
    private int _lastId;

    public async Task<ScriptHttpResponse> SendAsync(ScriptHttpRequest request, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _lastId);
        var answer = new TaskCompletionSource<ScriptHttpResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            await send(WorkerProtocol.Build(WorkerProtocol.HttpRequest, writer => WorkerCodec.Write(writer, id, request)));
            return await answer.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Hands an answer from the service to the request waiting for it.</summary>
    public void Complete(BinaryReader reader)
    {
        var (id, response, error) = WorkerCodec.ReadHttpAnswer(reader);
        if (_pending.TryGetValue(id, out var answer))
        {
            if (response is not null)
            {
                answer.TrySetResult(response);
            }
            else
            {
                answer.TrySetException(new ScriptHttpException(error ?? "The request failed."));
            }
        }
    }
}
