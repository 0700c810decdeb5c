using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Tower.System.Tests;

/// <summary>Every recipe of docs/recipes.md imports as is and answers a request its provider signed.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed partial class RecipeTests(TowerSystem tower)
{
    /// <summary>The sample each provider sends, and what the recipe's webhook answers to it.</summary>
    private static readonly Dictionary<string, (string Body, string Answer)> Samples = new()
    {
        ["github"] = ("{\"commits\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"repository\":{\"full_name\":\"octo/shop\"}}", "2 commits to octo/shop"),
        ["stripe"] = ("{\"id\":\"evt_1\",\"type\":\"charge.succeeded\"}", "charge.succeeded evt_1"),
        ["shopify"] = ("{\"id\":820982911946154508}", "order 820982911946154508"),
        ["slack"] = ("{\"token\":\"x\",\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\",\"type\":\"url_verification\"}",
            "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"),
        ["standard_webhooks"] = ("{\"type\":\"invoice.paid\"}", "invoice.paid msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"),
    };

    [Fact]
    public async Task Every_recipe_imports_as_is_and_answers_a_correctly_signed_request()
    {
        var documents = YamlBlock().Matches(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "recipes.md")))
            .Select(match => match.Groups["yaml"].Value).ToList();
        Assert.Equal(Samples.Count, documents.Count);

        foreach (var document in documents)
        {
            var records = ((YamlSequenceNode)Root(document)["records"]).Children.Cast<YamlMappingNode>().ToList();
            string Field(string model, string field) =>
                ((YamlScalarNode)records.Single(record => ((YamlScalarNode)record["model"]).Value == model)[field]).Value!;
            var authenticator = records.Single(record => ((YamlScalarNode)record["model"]).Value == "webhook_authenticator");
            var kind = ((YamlScalarNode)((YamlMappingNode)authenticator["verifier"])["kind"]).Value!;
            var secretValue = kind == "standard_webhooks"
                ? "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))
                : "recipe-secret-" + Guid.NewGuid().ToString("N");

            // As the recipe says: the secret with its value first, then the document as is.
            await tower.CreateAsync("/api/secrets", new { reference = Field("secret", "reference"), name = "Recipe", value = secretValue });
            using var import = await tower.Admin.PostAsync("/api/yaml?if_exists=update", new StringContent(document, Encoding.UTF8, "application/yaml"));
            Assert.True(import.IsSuccessStatusCode, $"{kind}: {await import.Content.ReadAsStringAsync()}");

            var endpoint = Field("webhook", "endpoint");
            var (body, answer) = Samples[kind];
            using var response = await SendSignedAsync(kind, secretValue, endpoint, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{kind}: {(int)response.StatusCode} {text}");
            Assert.Equal(answer, kind == "slack" ? text : (string)global::System.Text.Json.Nodes.JsonNode.Parse(text)!["message"]!);
        }
    }

    /// <summary>Posts the body as the provider would sign it, again while the new webhook has not reached the gateway (404).</summary>
    private async Task<HttpResponseMessage> SendSignedAsync(string kind, string secret, string endpoint, string body)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/cetmix_tower_webhooks/" + endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            foreach (var (name, value) in VerifierTests.Signed(kind, secret, DateTimeOffset.UtcNow, body))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            var response = await tower.Gateway.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.NotFound || DateTime.UtcNow >= deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(100);
        }
    }

    private static YamlMappingNode Root(string document)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(document));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Tower.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The tests do not run inside the repository.");
    }

    [GeneratedRegex("```yaml\\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
