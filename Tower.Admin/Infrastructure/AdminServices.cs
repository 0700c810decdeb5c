using Dapper;
using Microsoft.AspNetCore.Authentication;
using Tower.Admin.Authenticators;
using Tower.Admin.CodeChecks;
using Tower.Admin.Identity;
using Tower.Admin.Logs;
using Tower.Admin.Values;
using Tower.Admin.Webhooks;
using Tower.Contracts.Configuration;

namespace Tower.Admin.Infrastructure;

internal static class AdminServices
{
    public static IHostApplicationBuilder AddAdminServices(this IHostApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddTowerDatabase("admindb");
        builder.AddTowerBus();
        builder.Services.AddStrictJsonBodies();

        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Groups.RootPolicy, policy => policy.RequireRole(Groups.Root))
            .AddPolicy(Groups.ManagerPolicy, policy => policy.RequireRole(Groups.Root, Groups.Manager));

        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Tower Admin API";
                document.Info.Description = "Webhooks, authenticators, variables, secrets, users, call logs and settings. " +
                    "Authenticate with 'Authorization: Bearer <api key>'.";
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(OpenApiExamples.AddAsync);
        });
        builder.Services.AddSingleton<SecretProtector>();
        builder.Services.AddScoped<AdminDb>();
        builder.Services.AddScoped<RecordRules>();
        builder.Services.AddScoped<AuthenticatorStore>();
        builder.Services.AddScoped<AuthenticatorValidator>();
        builder.Services.AddScoped<VerifierRules>();
        // Options objects of webhooks and authenticators are jsonb columns in the API's own shape.
        Dapper.SqlMapper.AddTypeHandler(new JsonColumn<VerifierDefinition>());
        Dapper.SqlMapper.AddTypeHandler(new JsonColumn<RateLimitDefinition>());
        Dapper.SqlMapper.AddTypeHandler(new JsonColumn<LockoutDefinition>());
        Dapper.SqlMapper.AddTypeHandler(new JsonColumn<DedupDefinition>());
        Dapper.SqlMapper.AddTypeHandler(new JsonColumn<RetryDefinition>());
        builder.Services.AddScoped<WebhookStore>();
        builder.Services.AddScoped<WebhookValidator>();
        builder.Services.AddScoped<ValueStore>();
        builder.Services.AddSingleton<ConfigChanges>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<ConfigChanges>());
        builder.Services.AddInternalClient<LoggingClient>("logging");
        // Runs are sent once: no retry policy (a run has effects), and a limit longer than any run.
        builder.Services.AddHttpClient<Runs.GatewayClient>(client =>
        {
            client.BaseAddress = new Uri("http://gateway");
            client.Timeout = Runs.GatewayClient.Timeout;
        }).AddServiceCredential();
        builder.Services.AddScoped<Runs.ScriptDrafts>();
        builder.Services.AddSingleton<CodeCheckRegistry>();
        builder.Services.AddHostedService<StartupCodeCheck>();
        builder.Services.AddSingleton<Yaml.YamlExporter>();
        builder.Services.AddScoped<Yaml.YamlImporter>();
        return builder;
    }
}
