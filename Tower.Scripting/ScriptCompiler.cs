using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Tower.Scripting.Sandbox;

namespace Tower.Scripting;

/// <summary>
/// Compiles C# scripts into collectible load contexts, once per distinct text, so that memory
/// stays flat however many scripts come and go.
/// </summary>
public sealed class ScriptCompiler
{
    private static readonly string[] DefaultImports =
    [
        "System",
        "System.Collections.Generic",
        "System.Linq",
        "System.Text",
        "System.Text.Json",
        "System.Text.Json.Nodes",
        "System.Security.Cryptography",
        "System.Globalization",
        "System.Text.RegularExpressions",
        "System.Threading.Tasks",
        "Tower.Scripting",
    ];

    /// <summary>Longer code is refused before it is parsed (a script is a few screens, not a library).</summary>
    public const int MaxCodeLength = 100_000;

    /// <summary>Deeper syntax is refused before it is bound: the compiler's own recursion must not decide the outcome.</summary>
    private const int MaxSyntaxDepth = 200;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    private static readonly CSharpParseOptions ParseOptions =
        new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Script);

    private readonly ConcurrentDictionary<string, Lazy<CompileResult>> _cache = new();

    /// <summary>Compiles the code, or returns the cached compilation of the same text.</summary>
    public CompileResult Compile(ScriptKind kind, string code)
    {
        var hash = ScriptIdentity.Of(kind, code);
        return _cache.GetOrAdd(hash, static (key, state) =>
            new Lazy<CompileResult>(() => CompileNew(key, state.kind, state.code)), (kind, code)).Value;
    }

    /// <summary>The compiled script already known under this hash, if any.</summary>
    public ScriptImage? Find(string hash) =>
        _cache.TryGetValue(hash, out var entry) && entry.IsValueCreated ? entry.Value.Image : null;

    /// <summary>
    /// Checks code without keeping the compiled form, as the Admin API does at save time: the
    /// sandbox's refusals, compile errors, and then the same guarded compilation a run uses, so
    /// that code which saves also runs.
    /// </summary>
    public static IReadOnlyList<ScriptDiagnostic> Validate(ScriptKind kind, string code) =>
        CompileNew(ScriptIdentity.Of(kind, code), kind, code).Errors;

    /// <summary>The sandbox's refusals first (they name what is forbidden), then compile errors.</summary>
    private static IReadOnlyList<ScriptDiagnostic> Check(CSharpCompilation compilation)
    {
        var tree = compilation.SyntaxTrees[0];
        var refusals = ScriptSandbox.Check(tree, compilation.GetSemanticModel(tree));
        return [.. refusals, .. Errors(compilation.GetDiagnostics())];
    }

    private static CompileResult CompileNew(string hash, ScriptKind kind, string code)
    {
        if (code.Length > MaxCodeLength)
        {
            return new CompileResult(null, [new ScriptDiagnostic(1, 1, $"the code is {code.Length:N0} characters long; at most {MaxCodeLength:N0} are allowed")]);
        }

        var tree = Parse(code);
        if (TooDeep(tree.GetRoot()) is { } deepest)
        {
            var position = deepest.GetLocation().GetLineSpan().StartLinePosition;
            return new CompileResult(null, [new ScriptDiagnostic(position.Line + 1, position.Character + 1, $"the code nests deeper than {MaxSyntaxDepth} levels")]);
        }

        var assemblyName = "TowerScript_" + hash[..16];
        var checkedCompilation = CreateCompilation(kind, tree, assemblyName);
        var problems = Check(checkedCompilation);
        if (problems.Count > 0)
        {
            return new CompileResult(null, problems);
        }

        var original = checkedCompilation.SyntaxTrees[0];
        var guarded = GuardRewriter.Rewrite(original, checkedCompilation.GetSemanticModel(original));
        var compilation = CreateCompilation(kind, guarded, assemblyName);
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        if (!emitted.Success)
        {
            // What compiles as written but not with its guards (an expression-tree lambda, say) could never run.
            var cannotRun = Errors(emitted.Diagnostics).Select(error => error with { Message = "this construct cannot run in a script: " + error.Message });
            return new CompileResult(null, [.. cannotRun]);
        }

        var entryPoint = compilation.GetEntryPoint(CancellationToken.None)
            ?? throw new InvalidOperationException("A script compilation has no entry point.");
        return new CompileResult(
            new ScriptImage(hash, kind, image.ToArray(), entryPoint.ContainingType.MetadataName, entryPoint.MetadataName), []);
    }

    /// <summary>The first node deeper than the limit, found without recursion.</summary>
    private static SyntaxNode? TooDeep(SyntaxNode root)
    {
        var pending = new Stack<(SyntaxNode Node, int Depth)>();
        pending.Push((root, 0));
        while (pending.TryPop(out var current))
        {
            if (current.Depth > MaxSyntaxDepth)
            {
                return current.Node;
            }

            foreach (var child in current.Node.ChildNodes())
            {
                pending.Push((child, current.Depth + 1));
            }
        }

        return null;
    }

    private static SyntaxTree Parse(string code) => CSharpSyntaxTree.ParseText(code, ParseOptions);

    private static CSharpCompilation CreateCompilation(ScriptKind kind, SyntaxTree tree, string assemblyName)
    {
        var options = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            usings: DefaultImports,
            optimizationLevel: OptimizationLevel.Release,
            allowUnsafe: false,
            nullableContextOptions: NullableContextOptions.Disable);
        return CSharpCompilation.CreateScriptCompilation(
            assemblyName,
            tree,
            References.Value,
            options,
            previousScriptCompilation: null,
            returnType: typeof(object),
            globalsType: GlobalsType(kind));
    }

    internal static Type GlobalsType(ScriptKind kind) =>
        kind == ScriptKind.Webhook ? typeof(WebhookGlobals) : typeof(AuthenticatorGlobals);

    private static IReadOnlyList<ScriptDiagnostic> Errors(ImmutableArray<Diagnostic> diagnostics) =>
        diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d =>
            {
                var position = d.Location.GetLineSpan().StartLinePosition;
                return new ScriptDiagnostic(position.Line + 1, position.Character + 1, d.GetMessage());
            })
            .ToList();

    /// <summary>
    /// Every framework assembly is referenced, so that every name binds and the sandbox, not a
    /// missing reference, decides what a script may use (and names it in the refusal).
    /// </summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetDirectoryName(path) == RuntimeDirectory)
            .GroupBy(path => Path.GetFileNameWithoutExtension(path), StringComparer.OrdinalIgnoreCase)
            .Where(group => group.Key.StartsWith("System", StringComparison.Ordinal) || group.Key is "netstandard" or "mscorlib")
            .Select(group => (MetadataReference)MetadataReference.CreateFromFile(group.First()))
            .ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(ScriptGlobals).Assembly.Location));
        return [.. references];
    }

    private static readonly string RuntimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
}
