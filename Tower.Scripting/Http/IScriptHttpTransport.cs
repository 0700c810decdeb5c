namespace Tower.Scripting;

/// <summary>Carries out a script's requests: in a worker, over the pipe to its service, which applies the address policy.</summary>
internal interface IScriptHttpTransport
{
    Task<ScriptHttpResponse> SendAsync(ScriptHttpRequest request, CancellationToken cancellationToken);
}
