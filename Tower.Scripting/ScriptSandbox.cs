using System.Collections.Frozen;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Tower.Scripting;

/// <summary>
/// The save-time (and run-time) semantic allowlist. Every name a script uses must bind to a type
/// or member of an allowed namespace or type; the file system, processes, the environment,
/// reflection, <c>dynamic</c>, <c>unsafe</c>, interop, threads, <c>GC</c> and console I/O are
/// refused, each refusal naming the symbol and its position.
/// </summary>
internal static class ScriptSandbox
{
    /// <summary>Namespaces whose public types scripts may use, except those refused below.</summary>
    private static readonly FrozenSet<string> AllowedNamespaces = new[]
    {
        "System.Collections.Generic",
        "System.Collections.ObjectModel",
        "System.Linq",
        "System.Text",
        "System.Text.Json",
        "System.Text.Json.Nodes",
        "System.Text.RegularExpressions",
        "System.Globalization",
        "System.Numerics",
        "System.Security.Cryptography",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Types of the <c>System</c> namespace (and a few others) that scripts may use.</summary>
    private static readonly FrozenSet<string> AllowedTypes = new[]
    {
        "System.Object", "System.String", "System.Char", "System.Boolean", "System.Byte", "System.SByte",
        "System.Int16", "System.UInt16", "System.Int32", "System.UInt32", "System.Int64", "System.UInt64",
        "System.Int128", "System.UInt128", "System.Half", "System.Single", "System.Double", "System.Decimal",
        "System.IntPtr", "System.UIntPtr", "System.Void",
        "System.DateTime", "System.DateTimeOffset", "System.DateOnly", "System.TimeOnly", "System.TimeSpan",
        "System.DayOfWeek", "System.DateTimeKind", "System.Guid", "System.Math", "System.MathF", "System.MidpointRounding",
        "System.Convert", "System.Base64FormattingOptions", "System.BitConverter", "System.HashCode",
        "System.Array", "System.ArraySegment`1", "System.Span`1", "System.ReadOnlySpan`1", "System.Memory`1",
        "System.ReadOnlyMemory`1", "System.MemoryExtensions", "System.Nullable`1", "System.Nullable", "System.Index", "System.Range",
        "System.Tuple", "System.Tuple`1", "System.Tuple`2", "System.Tuple`3", "System.Tuple`4", "System.Tuple`5", "System.Tuple`6", "System.Tuple`7",
        "System.ValueTuple", "System.ValueTuple`1", "System.ValueTuple`2", "System.ValueTuple`3", "System.ValueTuple`4",
        "System.ValueTuple`5", "System.ValueTuple`6", "System.ValueTuple`7", "System.ValueTuple`8",
        "System.StringComparison", "System.StringComparer", "System.StringSplitOptions", "System.FormattableString",
        "System.IComparable", "System.IComparable`1", "System.IEquatable`1", "System.IDisposable", "System.IFormattable",
        "System.IFormatProvider", "System.Uri", "System.UriKind", "System.UriBuilder", "System.UriComponents", "System.UriFormat",
        "System.Random", "System.Lazy`1", "System.Version", "System.Enum",
        "System.Action", "System.Action`1", "System.Action`2", "System.Action`3", "System.Action`4",
        "System.Func`1", "System.Func`2", "System.Func`3", "System.Func`4", "System.Func`5",
        "System.Predicate`1", "System.Comparison`1", "System.Converter`2",
        "System.Exception", "System.ArgumentException", "System.ArgumentNullException", "System.ArgumentOutOfRangeException",
        "System.InvalidOperationException", "System.FormatException", "System.NotSupportedException",
        "System.NotImplementedException", "System.OverflowException", "System.DivideByZeroException",
        "System.NullReferenceException", "System.IndexOutOfRangeException", "System.InvalidCastException",
        "System.TimeoutException", "System.OperationCanceledException", "System.UnauthorizedAccessException",
        "System.Collections.IEnumerable", "System.Collections.IEnumerator",
        "System.Threading.Tasks.Task", "System.Threading.Tasks.Task`1", "System.Threading.Tasks.ValueTask",
        "System.Threading.Tasks.ValueTask`1", "System.Threading.CancellationToken",
        "System.Net.WebUtility", "System.Net.IPAddress",
        "Tower.Scripting.ScriptGlobals", "Tower.Scripting.WebhookGlobals", "Tower.Scripting.AuthenticatorGlobals",
        "Tower.Scripting.WebhookResult", "Tower.Scripting.AuthenticatorResult", "Tower.Scripting.ScriptUser",
        "Tower.Scripting.ScriptLog", "Tower.Scripting.ScriptHttp", "Tower.Scripting.ScriptHttpResponse",
        "Tower.Scripting.ScriptHttpException",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Types of allowed namespaces that are refused all the same.</summary>
    private static readonly FrozenSet<string> RefusedTypes = new[]
    {
        "System.Security.Cryptography.CryptoConfig",
        "System.Text.Json.Serialization.Metadata.JsonTypeInfo",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Members of allowed types that escape: they hand out reflection or start threads.</summary>
    private static readonly FrozenSet<string> RefusedMembers = new[]
    {
        "System.Object.GetType",
        "System.Threading.Tasks.Task.Run",
        "System.Threading.Tasks.Task.Factory",
        "System.Threading.Tasks.Task.Start",
        "System.Threading.Tasks.Task.RunSynchronously",
        "System.Threading.Tasks.Task.Wait",
        "System.Threading.Tasks.Task.WaitAll",
        "System.Threading.Tasks.Task.WaitAny",
        "System.Enum.GetValues",
        "System.Enum.GetNames",
        "System.Enum.Parse",
        "System.Enum.TryParse",
        "System.Array.CreateInstance",
        "Tower.Scripting.ScriptHttp.Configure",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Full names without C# keywords: <c>System.Object.GetType</c>, not <c>object.GetType</c>.</summary>
    private static readonly SymbolDisplayFormat Display = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters);

    public static IReadOnlyList<ScriptDiagnostic> Check(SyntaxTree tree, SemanticModel model)
    {
        var refusals = new List<ScriptDiagnostic>();
        var root = tree.GetCompilationUnitRoot();

        foreach (var directive in root.GetReferenceDirectives())
        {
            Refuse(refusals, directive, "#r directives are not allowed in scripts");
        }

        foreach (var directive in root.GetLoadDirectives())
        {
            Refuse(refusals, directive, "#load directives are not allowed in scripts");
        }

        var refusedUpTo = -1;
        foreach (var node in root.DescendantNodes(descendIntoTrivia: false))
        {
            // One refusal per offending construct: nothing inside an already refused node.
            if (node.SpanStart < refusedUpTo)
            {
                continue;
            }

            if (Inspect(node, model, refusals))
            {
                refusedUpTo = node.Span.End;
            }
        }

        return refusals;
    }

    /// <summary>Checks one node; true when the node itself was refused (its insides need no more refusals).</summary>
    private static bool Inspect(SyntaxNode node, SemanticModel model, List<ScriptDiagnostic> refusals)
    {
        switch (node)
        {
            case AttributeSyntax attribute:
                Refuse(refusals, attribute, $"attributes ('{attribute.Name}') are not allowed in scripts");
                return true;
            case PointerTypeSyntax or FunctionPointerTypeSyntax or FixedStatementSyntax or StackAllocArrayCreationExpressionSyntax
                or ImplicitStackAllocArrayCreationExpressionSyntax or UnsafeStatementSyntax:
                Refuse(refusals, node, $"'{Describe(node)}' is not allowed in scripts (no unsafe code)");
                return true;
            case RefTypeExpressionSyntax or RefValueExpressionSyntax or MakeRefExpressionSyntax:
                Refuse(refusals, node, $"'{Describe(node)}' is not allowed in scripts");
                return true;
            case MemberDeclarationSyntax or LocalFunctionStatementSyntax:
                CheckModifiers(refusals, node);
                return false;
            case ExpressionSyntax or TypeSyntax:
                return CheckBinding(refusals, node, model);
            default:
                return false;
        }
    }

    private static void CheckModifiers(List<ScriptDiagnostic> refusals, SyntaxNode node)
    {
        var modifiers = node switch
        {
            MemberDeclarationSyntax member => member.Modifiers,
            LocalFunctionStatementSyntax function => function.Modifiers,
            _ => default,
        };
        foreach (var modifier in modifiers)
        {
            if (modifier.IsKind(SyntaxKind.UnsafeKeyword) || modifier.IsKind(SyntaxKind.ExternKeyword))
            {
                Refuse(refusals, modifier.GetLocation(), $"'{modifier.Text}' is not allowed in scripts");
            }
        }
    }

    private static bool CheckBinding(List<ScriptDiagnostic> refusals, SyntaxNode node, SemanticModel model)
    {
        var symbol = model.GetSymbolInfo(node).Symbol;
        if (symbol is not null && Refusal(symbol, model.Compilation) is { } reason)
        {
            Refuse(refusals, node, reason);
            return true;
        }

        if (node is ExpressionSyntax && model.GetTypeInfo(node).Type is { } type && TypeRefusal(type, model.Compilation) is { } typeReason)
        {
            Refuse(refusals, node, typeReason);
            return true;
        }

        return false;
    }

    private static string? Refusal(ISymbol symbol, Compilation compilation)
    {
        switch (symbol)
        {
            case INamespaceSymbol or ILabelSymbol or IDiscardSymbol:
                return null;
            case ITypeSymbol type:
                return TypeRefusal(type, compilation);
            case ILocalSymbol local:
                return TypeRefusal(local.Type, compilation);
            case IParameterSymbol parameter:
                return TypeRefusal(parameter.Type, compilation);
            case IRangeVariableSymbol:
                return null;
            case IMethodSymbol { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction } function:
                return TypeRefusal(function.ReturnType, compilation);
        }

        if (IsScriptOwn(symbol, compilation))
        {
            return null;
        }

        var method = (symbol as IMethodSymbol)?.ReducedFrom ?? symbol as IMethodSymbol;
        var containingType = method?.ContainingType ?? symbol.ContainingType;
        if (containingType is null)
        {
            return $"'{symbol.ToDisplayString(Display)}' is not allowed in scripts";
        }

        var memberName = $"{FullName(containingType.OriginalDefinition)}.{symbol.Name}";
        if (RefusedMembers.Contains(memberName) || RefusedMembers.Contains(FullName(containingType.OriginalDefinition)))
        {
            return $"'{containingType.ToDisplayString(Display)}.{symbol.Name}' is not allowed in scripts";
        }

        if (TypeRefusal(containingType, compilation) is not null)
        {
            return $"'{containingType.OriginalDefinition.ToDisplayString(Display)}.{symbol.Name}' is not allowed in scripts";
        }

        if (symbol is IMethodSymbol { IsGenericMethod: true } generic)
        {
            foreach (var argument in generic.TypeArguments)
            {
                if (TypeRefusal(argument, compilation) is { } reason)
                {
                    return reason;
                }
            }
        }

        return null;
    }

    private static string? TypeRefusal(ITypeSymbol type, Compilation compilation)
    {
        switch (type)
        {
            case IDynamicTypeSymbol:
                return "'dynamic' is not allowed in scripts";
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                return $"'{type.ToDisplayString()}' is not allowed in scripts (no unsafe code)";
            case IArrayTypeSymbol array:
                return TypeRefusal(array.ElementType, compilation);
            case ITypeParameterSymbol or IErrorTypeSymbol:
                return null;
            case INamedTypeSymbol named:
                if (named.IsTupleType || IsScriptOwn(named, compilation) || named.IsAnonymousType)
                {
                    return named.IsTupleType ? TypeArgumentsRefusal(named, compilation) : null;
                }

                var definition = FullName(named.OriginalDefinition);
                var ns = named.ContainingNamespace?.ToDisplayString() ?? "";
                var allowed = !RefusedTypes.Contains(definition)
                    && (AllowedTypes.Contains(definition) || AllowedNamespaces.Contains(ns))
                    && (named.ContainingType is null || TypeRefusal(named.ContainingType, compilation) is null);
                return allowed
                    ? TypeArgumentsRefusal(named, compilation)
                    : $"'{named.OriginalDefinition.ToDisplayString(Display)}' is not allowed in scripts";
            default:
                return $"'{type.ToDisplayString()}' is not allowed in scripts";
        }
    }

    private static string? TypeArgumentsRefusal(INamedTypeSymbol named, Compilation compilation)
    {
        foreach (var argument in named.TypeArguments)
        {
            if (TypeRefusal(argument, compilation) is { } reason)
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>Types and members the script declares itself (classes, records, local functions, lambdas).</summary>
    private static bool IsScriptOwn(ISymbol symbol, Compilation compilation) =>
        SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, compilation.Assembly);

    private static string FullName(INamedTypeSymbol type)
    {
        var name = type.MetadataName;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.MetadataName + "+" + name;
        }

        var ns = type.ContainingNamespace?.ToDisplayString();
        return string.IsNullOrEmpty(ns) || type.ContainingNamespace!.IsGlobalNamespace ? name : ns + "." + name;
    }

    private static string Describe(SyntaxNode node)
    {
        var text = node.ToString();
        return text.Length > 40 ? text[..40] + "…" : text;
    }

    private static void Refuse(List<ScriptDiagnostic> refusals, SyntaxNode node, string message) =>
        Refuse(refusals, node.GetLocation(), message);

    private static void Refuse(List<ScriptDiagnostic> refusals, Location location, string message)
    {
        var position = location.GetLineSpan().StartLinePosition;
        var diagnostic = new ScriptDiagnostic(position.Line + 1, position.Character + 1, message);
        if (!refusals.Contains(diagnostic))
        {
            refusals.Add(diagnostic);
        }
    }
}
