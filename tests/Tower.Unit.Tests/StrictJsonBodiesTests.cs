using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tower.Admin.Infrastructure;
using Tower.Admin.Webhooks;
using Tower.Contracts;

namespace Tower.Unit.Tests;

/// <summary>
/// Strict bodies over HTTP, in both environments, with the Admin service's error pipeline: outside
/// Development ASP.NET answers a body it cannot bind with a bare 400 unless
/// <see cref="StrictJsonBodies"/> makes the failure reach the handler that names the field.
/// </summary>
public class StrictJsonBodiesTests
{
    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(string environment)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(options => TowerJson.Apply(options.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddStrictJsonBodies();
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapPost("/webhooks", (WebhookInput input) => TypedResults.Ok(input.Name));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    private static async Task<HttpResponseMessage> PostAsync(string environment, string body, string contentType = "application/json")
    {
        var (app, client) = await StartAsync(environment);
        await using (app)
        using (client)
        {
            var response = await client.PostAsync("/webhooks", new StringContent(body, Encoding.UTF8, contentType));
            await response.Content.LoadIntoBufferAsync();
            return response;
        }
    }

    private static async Task<JsonObject> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public async Task An_unknown_field_is_a_validation_problem_naming_it(string environment)
    {
        var errors = await ErrorsAsync(await PostAsync(environment, "{\"name\": \"a\", \"endpont\": \"x\"}"));

        Assert.StartsWith("Unknown field", (string)errors["endpont"]![0]!);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public async Task A_wrong_type_is_a_validation_problem_naming_the_field(string environment)
    {
        var errors = await ErrorsAsync(await PostAsync(environment, "{\"endpoint\": 5}"));

        Assert.Equal("endpoint must be a string.", (string)errors["endpoint"]![0]!);
    }

    [Theory]
    [InlineData("Production", "{\"name\": ")]
    [InlineData("Development", "{\"name\": ")]
    [InlineData("Production", "")]
    [InlineData("Production", "null")]
    [InlineData("Production", "[1]")]
    public async Task A_body_that_is_not_a_json_object_is_a_validation_problem_naming_the_body(string environment, string body)
    {
        var errors = await ErrorsAsync(await PostAsync(environment, body));

        Assert.Equal(["body"], errors.Select(error => error.Key));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_unsupported_not_a_field_error()
    {
        var response = await PostAsync("Production", "name=a", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_valid_body_is_bound()
    {
        var response = await PostAsync("Production", "{\"name\": \"a\", \"full_url\": \"http://x\", \"updated_at\": \"2026-01-01T00:00:00Z\"}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"a\"", await response.Content.ReadAsStringAsync());
    }
}
