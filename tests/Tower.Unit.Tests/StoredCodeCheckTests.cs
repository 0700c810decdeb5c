using Microsoft.AspNetCore.Http;
using Tower.Admin.CodeChecks;
using Tower.Admin.Infrastructure;
using Tower.Scripting;

namespace Tower.Unit.Tests;

/// <summary>The start-up check of stored code against the sandbox's current rules (webhooks.md §5).</summary>
public class StoredCodeCheckTests
{
    private const string VectorCode = "var a = new int[4];\nvar v = System.Numerics.Vector.LoadUnsafe(ref a[0], 64);\nresult.message = \"read\";";
    private const string CultureCode = "CultureInfo.CurrentCulture = new CultureInfo(\"de-DE\");\nresult.allowed = true;";

    [Fact]
    public void Code_the_rules_now_refuse_is_found_by_text_with_its_position_and_the_symbol_named()
    {
        var first = new StoredScript(ScriptKind.Webhook, "first", VectorCode);
        var second = new StoredScript(ScriptKind.Webhook, "second", VectorCode);
        var valid = new StoredScript(ScriptKind.Webhook, "valid", "result.message = \"fine\";");
        var culture = new StoredScript(ScriptKind.Authenticator, "culture", CultureCode);

        var refused = StartupCodeCheck.Refused([first, second, valid, culture], CancellationToken.None);

        Assert.Equal(new[] { first.Identity, culture.Identity }.Order(), refused.Keys.Order());
        Assert.Equal(first.Identity, second.Identity);
        Assert.Contains(refused[first.Identity], error => error.ToString().StartsWith("line 2, column 9: ", StringComparison.Ordinal)
            && error.Message.Contains("System.Numerics.Vector.LoadUnsafe", StringComparison.Ordinal));
        Assert.Contains(refused[culture.Identity], error => error.Message.Contains("System.Globalization.CultureInfo.CurrentCulture", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_text_is_judged_by_its_kind()
    {
        var asAuthenticator = new StoredScript(ScriptKind.Authenticator, "gate", "result.allowed = true;");
        var asWebhook = new StoredScript(ScriptKind.Webhook, "hook", "result.allowed = true;");

        var refused = StartupCodeCheck.Refused([asAuthenticator, asWebhook], CancellationToken.None);

        Assert.Equal([asWebhook.Identity], refused.Keys);
    }

    [Fact]
    public async Task A_list_waits_for_the_check_no_longer_than_its_bound_and_then_sees_the_first_result()
    {
        var registry = new CodeCheckRegistry();
        Assert.Null(await registry.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));

        var waiting = registry.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        registry.Complete(new Dictionary<string, IReadOnlyList<ScriptDiagnostic>> { ["abc"] = [new ScriptDiagnostic(1, 2, "refused")] });
        registry.Complete(new Dictionary<string, IReadOnlyList<ScriptDiagnostic>>());

        var refused = await waiting;
        Assert.Equal("line 1, column 2: refused", Assert.Single(refused!["abc"]).ToString());
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("?invalid=true", true)]
    [InlineData("?invalid=True", true)]
    [InlineData("?invalid=false", false)]
    [InlineData("?invalid=", false)]
    [InlineData("?limit=5", false)]
    public void The_invalid_parameter_is_true_false_or_absent(string query, bool expected)
    {
        var errors = new ValidationErrors();

        Assert.Equal(expected, InvalidCodeListing.Read(Request(query), errors));
        Assert.False(errors.Any);
    }

    [Theory]
    [InlineData("?invalid=yes")]
    [InlineData("?invalid=1")]
    public void Any_other_value_of_invalid_is_an_error_naming_the_parameter(string query)
    {
        var errors = new ValidationErrors();

        InvalidCodeListing.Read(Request(query), errors);

        var (field, messages) = Assert.Single(errors.ToDictionary());
        Assert.Equal("invalid", field);
        Assert.Contains("is not true or false", Assert.Single(messages), StringComparison.Ordinal);
    }

    private static HttpRequest Request(string query) => new DefaultHttpContext { Request = { QueryString = new QueryString(query) } }.Request;
}
