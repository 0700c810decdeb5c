using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Tower.Scripting;

/// <summary>
/// Inserts <c>global::Tower.Scripting.ScriptGuard.Check();</c> at the top of every loop body,
/// catch block, goto and method-like body (expression bodies become blocks), so that the
/// deadline and the stack depth are checked wherever a script can spend unbounded time; and
/// brackets every async body with <c>ScriptGuard.Enter()</c> and, in a <c>finally</c>,
/// <c>ScriptGuard.Exit()</c>, so that work a call leaves running is seen when the call ends.
/// Runs on the script's original tree, with its semantic model, after the sandbox accepted it.
/// </summary>
internal sealed class GuardRewriter(SemanticModel model) : CSharpSyntaxRewriter
{
    private static readonly StatementSyntax Check = ParseStatement("global::Tower.Scripting.ScriptGuard.Check();");
    private static readonly StatementSyntax Enter = ParseStatement("global::Tower.Scripting.ScriptGuard.Enter();");
    private static readonly MemberDeclarationSyntax GuardField = ParseMemberDeclaration(
        "private readonly bool __tower_guard = global::Tower.Scripting.ScriptGuard.Checked();")!;
    private static readonly FinallyClauseSyntax Exit = FinallyClause(Block(ParseStatement("global::Tower.Scripting.ScriptGuard.Exit();")));

    public static SyntaxTree Rewrite(SyntaxTree tree, SemanticModel model)
    {
        var root = new GuardRewriter(model).Visit(tree.GetRoot());
        return tree.WithRootAndOptions(root, tree.Options);
    }

    public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node)
    {
        var visited = (WhileStatementSyntax)base.VisitWhileStatement(node)!;
        return visited.WithStatement(Guarded(visited.Statement));
    }

    public override SyntaxNode? VisitDoStatement(DoStatementSyntax node)
    {
        var visited = (DoStatementSyntax)base.VisitDoStatement(node)!;
        return visited.WithStatement(Guarded(visited.Statement));
    }

    public override SyntaxNode? VisitForStatement(ForStatementSyntax node)
    {
        var visited = (ForStatementSyntax)base.VisitForStatement(node)!;
        return visited.WithStatement(Guarded(visited.Statement));
    }

    public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node)
    {
        var visited = (ForEachStatementSyntax)base.VisitForEachStatement(node)!;
        return visited.WithStatement(Guarded(visited.Statement));
    }

    public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node)
    {
        var visited = (ForEachVariableStatementSyntax)base.VisitForEachVariableStatement(node)!;
        return visited.WithStatement(Guarded(visited.Statement));
    }

    public override SyntaxNode? VisitCatchClause(CatchClauseSyntax node)
    {
        var visited = (CatchClauseSyntax)base.VisitCatchClause(node)!;
        return visited.WithBlock(visited.Block.WithStatements(visited.Block.Statements.Insert(0, Check)));
    }

    public override SyntaxNode? VisitGotoStatement(GotoStatementSyntax node) =>
        Block(Check, (StatementSyntax)base.VisitGotoStatement(node)!);

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        var visited = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
        var body = GuardedBody(visited.Body, visited.ExpressionBody?.Expression, model.GetDeclaredSymbol(node) as IMethodSymbol);
        return visited.WithBody(body).WithExpressionBody(null).WithSemicolonToken(default);
    }

    public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node) =>
        Guarded((BaseMethodDeclarationSyntax)base.VisitMethodDeclaration(node)!, node);

    public override SyntaxNode? VisitOperatorDeclaration(OperatorDeclarationSyntax node) =>
        Guarded((BaseMethodDeclarationSyntax)base.VisitOperatorDeclaration(node)!, node);

    public override SyntaxNode? VisitConversionOperatorDeclaration(ConversionOperatorDeclarationSyntax node) =>
        Guarded((BaseMethodDeclarationSyntax)base.VisitConversionOperatorDeclaration(node)!, node);

    public override SyntaxNode? VisitConstructorDeclaration(ConstructorDeclarationSyntax node) =>
        Guarded((BaseMethodDeclarationSyntax)base.VisitConstructorDeclaration(node)!, node);

    public override SyntaxNode? VisitIndexerDeclaration(IndexerDeclarationSyntax node)
    {
        var visited = (IndexerDeclarationSyntax)base.VisitIndexerDeclaration(node)!;
        if (visited.ExpressionBody is null)
        {
            return visited;
        }

        var getter = AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, Block(Check, Returned(visited.ExpressionBody.Expression)));
        return visited.WithExpressionBody(null).WithSemicolonToken(default).WithAccessorList(AccessorList(SingletonList(getter)));
    }

    /// <summary>Field initializers run before any constructor body: a first initializer of its own checks them too.</summary>
    public override SyntaxNode? VisitClassDeclaration(ClassDeclarationSyntax node)
    {
        var visited = (ClassDeclarationSyntax)base.VisitClassDeclaration(node)!;
        return visited.Modifiers.Any(SyntaxKind.StaticKeyword) ? visited : WithGuardField(visited);
    }

    public override SyntaxNode? VisitRecordDeclaration(RecordDeclarationSyntax node)
    {
        var visited = (RecordDeclarationSyntax)base.VisitRecordDeclaration(node)!;
        if (visited.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword))
        {
            return visited;
        }

        return WithGuardField(visited);
    }

    public override SyntaxNode? VisitAccessorDeclaration(AccessorDeclarationSyntax node)
    {
        var visited = (AccessorDeclarationSyntax)base.VisitAccessorDeclaration(node)!;
        if (visited.Body is null && visited.ExpressionBody is null)
        {
            return visited;
        }

        var body = GuardedBody(visited.Body, visited.ExpressionBody?.Expression, model.GetDeclaredSymbol(node));
        return visited.WithBody(body).WithExpressionBody(null).WithSemicolonToken(default);
    }

    public override SyntaxNode? VisitPropertyDeclaration(PropertyDeclarationSyntax node)
    {
        var visited = (PropertyDeclarationSyntax)base.VisitPropertyDeclaration(node)!;
        if (visited.ExpressionBody is null)
        {
            return visited;
        }

        var getter = AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, Block(Check, Returned(visited.ExpressionBody.Expression)));
        return visited.WithExpressionBody(null).WithSemicolonToken(default).WithAccessorList(AccessorList(SingletonList(getter)));
    }

    public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node)
    {
        var visited = (ParenthesizedLambdaExpressionSyntax)base.VisitParenthesizedLambdaExpression(node)!;
        return visited.WithBlock(GuardedBody(visited.Block, visited.ExpressionBody, model.GetSymbolInfo(node).Symbol as IMethodSymbol))
            .WithExpressionBody(null);
    }

    public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node)
    {
        var visited = (SimpleLambdaExpressionSyntax)base.VisitSimpleLambdaExpression(node)!;
        return visited.WithBlock(GuardedBody(visited.Block, visited.ExpressionBody, model.GetSymbolInfo(node).Symbol as IMethodSymbol))
            .WithExpressionBody(null);
    }

    public override SyntaxNode? VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node)
    {
        var visited = (AnonymousMethodExpressionSyntax)base.VisitAnonymousMethodExpression(node)!;
        return visited.WithBlock(GuardedBody(visited.Block, null, model.GetSymbolInfo(node).Symbol as IMethodSymbol));
    }

    /// <summary>A method-like member with a body that starts with the check; one without a body (abstract) stays as it is.</summary>
    private BaseMethodDeclarationSyntax Guarded(BaseMethodDeclarationSyntax visited, SyntaxNode original) =>
        visited.Body is null && visited.ExpressionBody is null
            ? visited
            : visited.WithBody(GuardedBody(visited.Body, visited.ExpressionBody?.Expression, model.GetDeclaredSymbol(original) as IMethodSymbol))
                .WithExpressionBody(null).WithSemicolonToken(default);

    /// <summary>The type with the guard field first; a type written with a semicolon body gets braces for it.</summary>
    private static TypeDeclarationSyntax WithGuardField(TypeDeclarationSyntax type) =>
        type.WithMembers(type.Members.Insert(0, GuardField))
            .WithOpenBraceToken(Token(SyntaxKind.OpenBraceToken)).WithCloseBraceToken(Token(SyntaxKind.CloseBraceToken))
            .WithSemicolonToken(default);

    private static StatementSyntax Guarded(StatementSyntax body) =>
        body is BlockSyntax block ? block.WithStatements(block.Statements.Insert(0, Check)) : Block(Check, body);

    /// <summary>
    /// A block body that starts with the check (an expression body becomes <c>return expr;</c>,
    /// <c>expr;</c> or <c>throw e;</c>); an async body is also counted from its start to its end.
    /// </summary>
    private static BlockSyntax GuardedBody(BlockSyntax? block, ExpressionSyntax? expression, IMethodSymbol? method)
    {
        if (block is null && method is null)
        {
            // Unbound (the compiler will report it); leave the expression as it is.
            return Block(ReturnStatement(expression));
        }

        var body = block?.WithStatements(block.Statements.Insert(0, Check)) ?? Block(Check, ExpressionBody(expression!, method!));
        return method is { IsAsync: true } ? Block(Enter, TryStatement(body, default, Exit)) : body;
    }

    /// <summary><c>return expr;</c>, or <c>throw e;</c> for a throw expression (which cannot be returned).</summary>
    private static StatementSyntax Returned(ExpressionSyntax expression) =>
        expression is ThrowExpressionSyntax thrown ? ThrowStatement(thrown.Expression) : ReturnStatement(expression);

    private static StatementSyntax ExpressionBody(ExpressionSyntax expression, IMethodSymbol method)
    {
        if (expression is ThrowExpressionSyntax thrown)
        {
            return ThrowStatement(thrown.Expression);
        }

        var returnsNothing = method.ReturnsVoid
            || method.MethodKind is MethodKind.Constructor or MethodKind.PropertySet or MethodKind.EventAdd or MethodKind.EventRemove
            || (method.IsAsync && method.ReturnType is INamedTypeSymbol { IsGenericType: false, Name: "Task" or "ValueTask" });
        return returnsNothing ? ExpressionStatement(expression) : ReturnStatement(expression);
    }
}
