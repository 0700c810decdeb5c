using System.Collections.Frozen;
using Tower.Scripting;

namespace Tower.Admin.CodeChecks;

/// <summary>
/// What the start-up check (<see cref="StartupCodeCheck"/>) found: the stored code texts that the
/// sandbox's current rules refuse, by identity (<see cref="ScriptIdentity"/>), with their errors.
/// It is keyed by text, not by record, so that no write has to update it: saving validates, so a
/// created, replaced or imported record holds a text that passes (another identity), a deleted
/// record is no longer stored, and the records still holding a refused text are found by their
/// <c>code_hash</c> when a list asks for them. The rules cannot change while the service runs.
/// </summary>
public sealed class CodeCheckRegistry
{
    private readonly TaskCompletionSource<IReadOnlyDictionary<string, IReadOnlyList<ScriptDiagnostic>>> _refused =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Keeps the check's result: the refused texts by identity. Only the first result counts.</summary>
    public void Complete(IReadOnlyDictionary<string, IReadOnlyList<ScriptDiagnostic>> refused) =>
        _refused.TrySetResult(refused.ToFrozenDictionary());

    /// <summary>The refused texts by identity once the check has finished, or null if it does not finish within <paramref name="wait"/>.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<ScriptDiagnostic>>?> WaitAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            return await _refused.Task.WaitAsync(wait, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }
}
