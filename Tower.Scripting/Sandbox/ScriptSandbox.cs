using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Tower.Scripting.Sandbox;

/// <summary>
/// The save-time (and run-time) check of a script against <see cref="ScriptAllowlist"/>. Every
/// name a script uses must bind to a type of the list, or to a member of one that the entry
/// allows and that meets the rules every member meets: nothing in its signature outside the
/// list (so no pointers, native-sized integers, handles, streams or reflection types), no
/// "Unsafe" member, no type created by name, no framework event, no write to static state.
/// Declarations that would outlive a call (finalizers, static fields, <c>async void</c>) are
/// refused too. Each refusal names the symbol and its position.
/// </summary>
internal static class ScriptSandbox
{
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

            // unsafe and extern are refused where they stand, and the declaration is still checked inside.
            foreach (var modifier in Modifiers(node))
            {
                if (modifier.IsKind(SyntaxKind.UnsafeKeyword) || modifier.IsKind(SyntaxKind.ExternKeyword))
                {
                    Refuse(refusals, modifier.GetLocation(), $"'{modifier.Text}' is not allowed in scripts");
                }
            }

            if (Inspect(node, model) is { } message)
            {
                Refuse(refusals, node, message);
                refusedUpTo = node.Span.End;
            }
        }

        return refusals;
    }

    /// <summary>Checks one node; a refusal of the node itself means its insides need no more refusals.</summary>
    private static string? Inspect(SyntaxNode node, SemanticModel model) =>
        node switch
        {
            AttributeSyntax attribute when !IsAllowedAttribute(attribute, model) => $"attributes ('{attribute.Name}') are not allowed in scripts",
            BaseTypeSyntax baseType when SharedBase(baseType, model) is { } shared =>
                $"'{shared}' may not be derived from in scripts: its instances may be shared by the whole process",
            ConstructorDeclarationSyntax constructor when IsStatic(constructor.Modifiers) =>
                $"the static constructor of '{constructor.Identifier.Text}' is not allowed in scripts: its failure would outlive the call",
            PointerTypeSyntax or FunctionPointerTypeSyntax or FixedStatementSyntax or StackAllocArrayCreationExpressionSyntax
                or ImplicitStackAllocArrayCreationExpressionSyntax or UnsafeStatementSyntax =>
                $"'{Describe(node)}' is not allowed in scripts (no unsafe code)",
            RefTypeExpressionSyntax or RefValueExpressionSyntax or MakeRefExpressionSyntax => $"'{Describe(node)}' is not allowed in scripts",
            DestructorDeclarationSyntax destructor =>
                $"the finalizer '~{destructor.Identifier.Text}' is not allowed in scripts: it would run after the call, outside its time limit",
            BaseFieldDeclarationSyntax field when IsStatic(field.Modifiers) && !field.Modifiers.Any(SyntaxKind.ConstKeyword) =>
                $"the static field '{field.Declaration.Variables.First().Identifier.Text}' is not allowed in scripts: it would keep state between calls (use const or a local)",
            PropertyDeclarationSyntax property when IsStatic(property.Modifiers) && KeepsState(property) =>
                $"the static property '{property.Identifier.Text}' is not allowed in scripts: it would keep state between calls",
            MemberDeclarationSyntax or LocalFunctionStatementSyntax => DeclarationRefusal(node, model),
            AnonymousFunctionExpressionSyntax { AsyncKeyword.RawKind: (int)SyntaxKind.AsyncKeyword } lambda
                when model.GetSymbolInfo(lambda).Symbol is IMethodSymbol { ReturnsVoid: true } => AsyncVoid,
            AssignmentExpressionSyntax assignment => WritesRefusal(assignment.Left, model) ?? BindingRefusal(node, model),
            PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax when Operand(node) is { } operand =>
                WriteRefusal(operand, model) ?? BindingRefusal(node, model),
            ExpressionSyntax or TypeSyntax => BindingRefusal(node, model),
            _ => null,
        };

    private const string AsyncVoid =
        "'async void' is not allowed in scripts: its continuations and exceptions escape the call (return a Task and await it)";

    private static string? DeclarationRefusal(SyntaxNode node, SemanticModel model) =>
        node is MethodDeclarationSyntax or LocalFunctionStatementSyntax
        && Modifiers(node).Any(SyntaxKind.AsyncKeyword)
        && model.GetDeclaredSymbol(node) is IMethodSymbol { ReturnsVoid: true }
            ? AsyncVoid
            : null;

    private static SyntaxTokenList Modifiers(SyntaxNode node) => node switch
    {
        MemberDeclarationSyntax member => member.Modifiers,
        LocalFunctionStatementSyntax function => function.Modifiers,
        _ => default,
    };

    private static bool IsStatic(SyntaxTokenList modifiers) => modifiers.Any(SyntaxKind.StaticKeyword);

    /// <summary>An auto-property, one with an initializer or one using <c>field</c> holds a value; a computed one does not.</summary>
    private static bool KeepsState(PropertyDeclarationSyntax property) =>
        property.Initializer is not null
        || (property.AccessorList?.Accessors.Any(accessor => accessor.Body is null && accessor.ExpressionBody is null) ?? false)
        || property.DescendantNodes().Any(node => node.IsKind(SyntaxKind.FieldExpression));

    /// <summary>Attributes that only describe data (JSON names), from the list; any other is refused.</summary>
    private static bool IsAllowedAttribute(AttributeSyntax attribute, SemanticModel model) =>
        model.GetSymbolInfo(attribute).Symbol?.ContainingType is { } type
        && type.Name.EndsWith("Attribute", StringComparison.Ordinal)
        && ScriptAllowlist.Find(FullName(type)) is not null;

    /// <summary>A base type whose instances the process may share (a culture, an encoding), which a script's override would reach.</summary>
    private static string? SharedBase(BaseTypeSyntax baseType, SemanticModel model) =>
        model.GetTypeInfo(baseType.Type).Type is INamedTypeSymbol type && !IsScriptOwn(type, model.Compilation)
        && EntryOf(type)?.Access is MemberAccess.ReadOnly or MemberAccess.TypeOnly
            ? type.OriginalDefinition.ToDisplayString(Display)
            : null;

    /// <summary>Every target a (deconstructing) assignment writes.</summary>
    private static string? WritesRefusal(ExpressionSyntax target, SemanticModel model) => target switch
    {
        TupleExpressionSyntax tuple => tuple.Arguments.Select(argument => WritesRefusal(argument.Expression, model)).FirstOrDefault(reason => reason is not null),
        _ => WriteRefusal(target, model),
    };

    private static ExpressionSyntax? Operand(SyntaxNode node) => node switch
    {
        PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression) => prefix.Operand,
        PostfixUnaryExpressionSyntax postfix when postfix.IsKind(SyntaxKind.PostIncrementExpression) || postfix.IsKind(SyntaxKind.PostDecrementExpression) => postfix.Operand,
        _ => null,
    };

    /// <summary>A write to a framework type's static state, or to a setter of a type whose instances the process shares.</summary>
    private static string? WriteRefusal(ExpressionSyntax target, SemanticModel model)
    {
        var symbol = model.GetSymbolInfo(target).Symbol;
        if (symbol is not (IPropertySymbol or IFieldSymbol) || IsScriptOwn(symbol, model.Compilation) || symbol.ContainingType is not { } type)
        {
            return null;
        }

        var name = $"{type.OriginalDefinition.ToDisplayString(Display)}.{symbol.Name}";
        if (symbol.IsStatic)
        {
            return $"'{name}' cannot be set by scripts: it changes process-wide state";
        }

        return EntryOf(type)?.Access == MemberAccess.ReadOnly
            ? $"'{name}' cannot be set by scripts: instances of '{type.OriginalDefinition.ToDisplayString(Display)}' may be shared by the whole process"
            : null;
    }

    private static string? BindingRefusal(SyntaxNode node, SemanticModel model)
    {
        var symbol = model.GetSymbolInfo(node).Symbol;
        if (symbol is not null && Refusal(symbol, model.Compilation) is { } reason)
        {
            return reason;
        }

        if (node is ExpressionSyntax)
        {
            var info = model.GetTypeInfo(node);
            return (info.Type is null ? null : TypeRefusal(info.Type, model.Compilation))
                ?? (info.ConvertedType is null ? null : TypeRefusal(info.ConvertedType, model.Compilation));
        }

        return null;
    }

    private static string? Refusal(ISymbol symbol, Compilation compilation)
    {
        switch (symbol)
        {
            case INamespaceSymbol or ILabelSymbol or IDiscardSymbol or IRangeVariableSymbol:
                return null;
            case ITypeSymbol type:
                return TypeRefusal(type, compilation);
            case ILocalSymbol local:
                return TypeRefusal(local.Type, compilation);
            case IParameterSymbol parameter:
                return TypeRefusal(parameter.Type, compilation);
            case IMethodSymbol { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction } function:
                return SignatureTypes(function).Select(type => TypeRefusal(type, compilation)).FirstOrDefault(reason => reason is not null);
        }

        if (IsScriptOwn(symbol, compilation))
        {
            return null;
        }

        return MemberRefusal(symbol, compilation);
    }

    /// <summary>A member of a type the script did not declare: its type, the entry's own refusals, then the rules for every member.</summary>
    private static string? MemberRefusal(ISymbol symbol, Compilation compilation)
    {
        var method = symbol as IMethodSymbol;
        if (method?.ReducedFrom is not null)
        {
            method = method.GetConstructedReducedFrom() ?? method.ReducedFrom;
        }

        var member = (ISymbol?)method ?? symbol;
        if (member.ContainingType is not { } containing)
        {
            return $"'{symbol.ToDisplayString(Display)}' is not allowed in scripts";
        }

        var name = $"{containing.OriginalDefinition.ToDisplayString(Display)}.{member.Name}";
        if (TypeRefusal(containing, compilation) is not null)
        {
            return $"'{name}' is not allowed in scripts";
        }

        var entry = EntryOf(containing);
        if (entry is not null && entry.RefusedMembers.TryGetValue(member.Name, out var why))
        {
            return $"'{name}' is not allowed in scripts: it {why}";
        }

        if (entry is { Access: MemberAccess.Listed } && !entry.ListedMembers.Contains(member.Name))
        {
            return $"'{name}' is not allowed in scripts: of '{containing.OriginalDefinition.ToDisplayString(Display)}' only {string.Join(", ", entry.ListedMembers)} may be used";
        }

        if (entry?.Access == MemberAccess.TypeOnly)
        {
            return $"'{name}' is not allowed in scripts: '{containing.OriginalDefinition.ToDisplayString(Display)}' may only be awaited or passed on, not used";
        }

        if (member is IEventSymbol)
        {
            return $"'{name}' is not allowed in scripts: the handlers of framework events run outside the call";
        }

        if (member.Name.Contains("Unsafe", StringComparison.Ordinal))
        {
            return $"'{name}' is not allowed in scripts: it reads or writes memory without bounds checks";
        }

        if (member.Name is "BeginInvoke" or "EndInvoke")
        {
            return $"'{name}' is not allowed in scripts: it starts work that outlives the call";
        }

        if (method is { IsStatic: true, Name: "Create", OriginalDefinition.Parameters: [{ Type.SpecialType: SpecialType.System_String }] })
        {
            return $"'{name}(string)' is not allowed in scripts: it creates an object of a type chosen by name";
        }

        foreach (var type in SignatureTypes(member))
        {
            if (TypeRefusal(type, compilation) is not null)
            {
                return $"'{name}' is not allowed in scripts: its signature uses '{type.ToDisplayString(Display)}'";
            }
        }

        if (method is { IsGenericMethod: true })
        {
            foreach (var argument in method.TypeArguments)
            {
                if (TypeRefusal(argument, compilation) is { } reason)
                {
                    return reason;
                }
            }
        }

        return null;
    }

    private static IEnumerable<ITypeSymbol> SignatureTypes(ISymbol member) => member switch
    {
        IMethodSymbol method => method.Parameters.Select(parameter => parameter.Type).Prepend(method.ReturnType),
        IPropertySymbol property => property.Parameters.Select(parameter => parameter.Type).Prepend(property.Type),
        IFieldSymbol field => [field.Type],
        IEventSymbol @event => [@event.Type],
        _ => [],
    };

    public static string? TypeRefusal(ITypeSymbol type, Compilation compilation)
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
            case INamedTypeSymbol { SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr }:
                return $"'{type.ToDisplayString(Display)}' is not allowed in scripts: native-sized integers are memory addresses and handles";
            case INamedTypeSymbol named:
                if (named.IsTupleType || named.IsAnonymousType || IsScriptOwn(named, compilation) || IsAllowed(named))
                {
                    return TypeArgumentsRefusal(named, compilation);
                }

                return $"'{named.OriginalDefinition.ToDisplayString(Display)}' is not allowed in scripts";
            default:
                return $"'{type.ToDisplayString()}' is not allowed in scripts";
        }
    }

    private static bool IsAllowed(INamedTypeSymbol named)
    {
        var definition = named.OriginalDefinition;
        if (ScriptAllowlist.Find(FullName(definition)) is not null)
        {
            return true;
        }

        if (definition.TypeKind == TypeKind.Interface && definition.ContainingType is null
            && ScriptAllowlist.InterfaceNamespaces.Contains(definition.ContainingNamespace.ToDisplayString()))
        {
            return true;
        }

        // A public nested type (an enumerator, a key collection) goes with its allowed outer type.
        return definition.ContainingType is { } outer && IsAllowed(outer) && EntryOf(outer)?.Access is not (MemberAccess.TypeOnly or MemberAccess.Listed);
    }

    /// <summary>The list's entry for a type, or for the outer type a nested one goes with.</summary>
    private static AllowedType? EntryOf(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type.OriginalDefinition; current is not null; current = current.ContainingType)
        {
            if (ScriptAllowlist.Find(FullName(current)) is { } entry)
            {
                return entry;
            }
        }

        return null;
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
