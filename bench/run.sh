#!/usr/bin/env bash
# The standard-call benchmark: builds in Release, starts the whole system in a fresh data folder
# (default ports, so stop any other Tower first), sets up the standard call, drives load and
# prints one report. Usage: bench/run.sh [seconds per saturation run, default 15] [--dashboard | --profile | --quick | --isolation | --dedup]
# Without --dashboard the system runs as a production host would: no dashboard, no telemetry export.
# --profile also samples one more saturation run with perf and prints each component's hottest
# functions (the services write perf maps for their JIT-compiled code; workers' code shows unnamed).
# --quick measures the floor and Tower's saturation run only (no peer, open loop or memory): for
# comparing two builds one after the other, not for the README's figures.
# --isolation measures instead what one webhook whose calls all spin to their limit does to the
# standard call (spec §10): the standard call at a steady open-loop rate, idle, then beside 16
# callers of the spinner, then beside them once more with the spinner given max_concurrency 64
# (no share of the workers: as before the share existed).
# --dedup measures what dedup adds to a call: the standard webhook and a copy of it with dedup on
# a header whose value differs on every request (each call claims its key in Logging's database
# and stores its answer there), each at a steady open-loop rate, one after the other.
#
# Standard call: an authenticator with a 20-entry IPv4/IPv6 CIDR allowlist holding the client
# and code that checks a header token against a secret; a webhook whose code reads a field of a
# ~1 KB JSON payload. POST over keep-alive connections. Beside it, in the same run, a single-hop
# ASP.NET Core endpoint that parses the same JSON (bench/Tower.Bench.Floor) and the peer
# adnanh/webhook (Debian's webhook 2.8) with the same allowlist and token check, running /bin/true.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-15}
DASHBOARD=false
PROFILE=false
QUICK=false
[ "${2:-}" = "--dashboard" ] && DASHBOARD=true
[ "${2:-}" = "--quick" ] && QUICK=true
ISOLATION=false
[ "${2:-}" = "--isolation" ] && ISOLATION=true
DEDUP=false
[ "${2:-}" = "--dedup" ] && DEDUP=true
# Perf maps name the JIT-compiled code; without W^X that code lies in anonymous memory, where perf looks.
[ "${2:-}" = "--profile" ] && { PROFILE=true; export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0; }
DATA=/tmp/tower-bench
FLOOR_URL=http://127.0.0.1:5099/
PEER_URL=http://127.0.0.1:5098/hooks/standard
GATEWAY_URL=http://127.0.0.1:5080/cetmix_tower_webhooks/bench/standard
TOKEN=bench-token-0123456789abcdef
export TOWER_ROOT_API_KEY=bench-root-key-$(openssl rand -hex 16)

command -v wrk >/dev/null || { echo "bench: installing wrk"; apt-get install -y -qq wrk >/dev/null; }
command -v webhook >/dev/null || { echo "bench: installing webhook"; apt-get install -y -qq webhook >/dev/null; }
command -v psql >/dev/null || { echo "bench: psql is missing (./tower.sh run installs PostgreSQL)" >&2; exit 1; }
dotnet build bench/Tower.Bench.Floor -c Release -nologo -v quiet
dotnet build bench/Tower.Bench.Load -c Release -nologo -v quiet

cleanup() {
    [ -n "${FLOOR_PID:-}" ] && kill "$FLOOR_PID" 2>/dev/null || true
    [ -n "${PEER_PID:-}" ] && kill "$PEER_PID" 2>/dev/null || true
    [ -n "${TOWER_PID:-}" ] && kill -TERM "$TOWER_PID" 2>/dev/null && wait "$TOWER_PID" 2>/dev/null || true
}
trap cleanup EXIT

rm -rf "$DATA" && mkdir -p "$DATA"
Tower__Dashboard=$DASHBOARD TOWER_DATA_DIR=$DATA setsid ./tower.sh run > "$DATA/run.log" 2>&1 &
TOWER_PID=$!
dotnet bench/Tower.Bench.Floor/bin/Release/net10.0/Tower.Bench.Floor.dll --urls "${FLOOR_URL%/}" > /dev/null 2>&1 &
FLOOR_PID=$!
echo "bench: starting Tower (log in $DATA/run.log)"
for _ in $(seq 1 120); do
    curl -sf localhost:5080/health >/dev/null 2>&1 && curl -sf localhost:5090/health >/dev/null 2>&1 && break
    sleep 2
done
curl -sf localhost:5080/health >/dev/null || { echo "bench: Tower did not start" >&2; tail -20 "$DATA/run.log" >&2; exit 1; }

# The standard call.
K="Authorization: Bearer $TOWER_ROOT_API_KEY"; J="Content-Type: application/json"
ALLOW="10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 198.18.0.0/15, 203.0.113.0/24, 198.51.100.0/24, 192.0.2.0/24"
ALLOW="$ALLOW, 169.254.0.0/16, 224.0.0.0/4, 2001:db8::/32, fc00::/7, fe80::/10, 2001:470::/32, 2a00:1450::/32, 2606:4700::/32"
ALLOW="$ALLOW, 2620:fe::/48, 64:ff9b::/96, ::1/128, 127.0.0.0/8"
curl -sf -H "$K" -H "$J" localhost:5090/api/secrets -d "{\"reference\": \"bench_token\", \"name\": \"Bench token\", \"value\": \"$TOKEN\"}" >/dev/null
curl -sf -H "$K" -H "$J" localhost:5090/api/authenticators -d "{\"reference\": \"bench\", \"name\": \"Bench\", \"allowed_ips\": \"$ALLOW\",
  \"secrets\": [\"bench_token\"], \"code\": \"result.allowed = headers.TryGetValue(\\\"X-Token\\\", out var t) && FixedTimeEquals(t, secrets[\\\"bench_token\\\"]);\"}" >/dev/null
curl -sf -H "$K" -H "$J" localhost:5090/api/webhooks -d '{"reference": "bench_standard", "name": "Bench standard", "authenticator": "bench",
  "endpoint": "bench/standard", "code": "result.message = $\"order {payload?[\"id\"]}\";"}' >/dev/null
python3 - > "$DATA/payload.json" <<'PY'
import json
items = [{"sku": f"SKU-{n:05d}", "qty": n % 3 + 1, "price": 9.99} for n in range(18)]
print(json.dumps({"id": 7, "customer": {"name": "Ada Lovelace", "email": "ada@example.com"}, "items": items}))
PY
cat > "$DATA/post.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$DATA/payload.json"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Token"] = "$TOKEN"
LUA
for _ in $(seq 1 50); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Token: $TOKEN" --data-binary @"$DATA/payload.json" "$GATEWAY_URL")" = 200 ] && break
    sleep 0.2
done

# The peer: one hook, the same allowlist (webhook takes space-separated ranges) and token check, the
# payload's id passed to /bin/true; it answers when the command has ended (403 if a rule fails).
python3 - "$ALLOW" "$TOKEN" > "$DATA/hooks.json" <<'PY'
import json, sys
allow, token = sys.argv[1:3]
print(json.dumps([{
    "id": "standard", "execute-command": "/bin/true", "http-methods": ["POST"],
    "include-command-output-in-response": True, "trigger-rule-mismatch-http-response-code": 403,
    "pass-arguments-to-command": [{"source": "payload", "name": "id"}],
    "trigger-rule": {"and": [
        {"match": {"type": "ip-whitelist", "ip-range": " ".join(allow.split(", "))}},
        {"match": {"type": "value", "value": token, "parameter": {"source": "header", "name": "X-Token"}}}]}}], indent=2))
PY
webhook -hooks "$DATA/hooks.json" -ip 127.0.0.1 -port 5098 > "$DATA/peer.log" 2>&1 &
PEER_PID=$!
peer_code() { curl -s -o /dev/null -w '%{http_code}' -H "Content-Type: application/json" "$@" --data-binary @"$DATA/payload.json" "$PEER_URL" || true; }
for _ in $(seq 1 25); do [ "$(peer_code)" != 000 ] && break; sleep 0.2; done
CODE=$(peer_code -H "X-Token: $TOKEN")
[ "$CODE" = 200 ] || { echo "bench: adnanh/webhook answered $CODE with the token, not 200" >&2; cat "$DATA/peer.log" >&2; exit 1; }
CODE=$(peer_code)
[ "$CODE" = 403 ] || { echo "bench: adnanh/webhook answered $CODE without the token, not 403" >&2; exit 1; }

wrk_run() { # url seconds -> "requests/s requests non2xx errors p50 p90 p99 max"
    wrk -t1 -c32 -d"$2"s --latency -s "$DATA/post.lua" "$1" > "$DATA/wrk.out"
    python3 - "$DATA/wrk.out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(value):
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
requests = int(re.search(r"(\d+) requests in", text).group(1))
non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", text) or [0, 0])[1])
errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
p = {k: ms(v) for k, v in re.findall(r"\s+(50|90|99)%\s+(\S+)", text)}
maximum = ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text).group(1))
print(f"{rps:.0f} {requests} {non2xx} {errors} {p['50']:.2f} {p['90']:.2f} {p['99']:.2f} {maximum:.2f}")
PY
}
# Tiered compilation keeps five services busy for the first half minute or so of load.
echo "bench: warming up for 30 s"
read -r _ WARM_N _ <<< "$(wrk_run "$GATEWAY_URL" 30)"
ANSWERED=$(( 1 + WARM_N ))

if $DEDUP; then
    LOAD=bench/Tower.Bench.Load/bin/Release/net10.0/Tower.Bench.Load.dll
    DEDUP_URL=http://127.0.0.1:5080/cetmix_tower_webhooks/bench/dedup
    RATE=200
    curl -sf -H "$K" -H "$J" localhost:5090/api/webhooks -d '{"reference": "bench_dedup", "name": "Bench dedup", "authenticator": "bench",
      "endpoint": "bench/dedup", "code": "result.message = $\"order {payload?[\"id\"]}\";", "dedup": {"source": "header", "key": "X-Delivery"}}' >/dev/null
    sleep 2
    at_rate() { dotnet "$LOAD" "$1" "$RATE" "$SECONDS_PER_RUN" "$DATA/payload.json" "Content-Type: application/json" "X-Token: $TOKEN" "X-Delivery: bench-{n}-$2"; }
    echo "bench: the standard call and the same with dedup, at $RATE/s, ${SECONDS_PER_RUN} s each, twice"
    PLAIN1=$(at_rate "$GATEWAY_URL" a); DEDUP1=$(at_rate "$DEDUP_URL" b); PLAIN2=$(at_rate "$GATEWAY_URL" c); DEDUP2=$(at_rate "$DEDUP_URL" d)
    echo
    echo "## Dedup, $(date -u +%Y-%m-%d), $(nproc) cores"
    echo
    echo "| at $RATE/s (open loop) | result |"
    echo "|---|---|"
    printf '| standard call | %s |\n| with dedup (a new key per call) | %s |\n| standard call | %s |\n| with dedup (a new key per call) | %s |\n' "$PLAIN1" "$DEDUP1" "$PLAIN2" "$DEDUP2"
    exit 0
fi

if $ISOLATION; then
    LOAD=bench/Tower.Bench.Load/bin/Release/net10.0/Tower.Bench.Load.dll
    SPINNER_URL=http://127.0.0.1:5080/cetmix_tower_webhooks/bench/spinner
    RATE=100
    curl -sf -H "$K" -H "$J" localhost:5090/api/webhooks -d '{"reference": "bench_spinner", "name": "Bench spinner", "authenticator": "bench",
      "endpoint": "bench/spinner", "timeout_ms": 5000, "code": "while (true) { }"}' >/dev/null
    steady() { dotnet "$LOAD" "$GATEWAY_URL" "$RATE" "$SECONDS_PER_RUN" "$DATA/payload.json" "Content-Type: application/json" "X-Token: $TOKEN"; }
    beside_spinner() { # the standard call's line while 16 callers keep the spinner busy; then the spinner's answers
        wrk -t1 -c16 -d"$(( SECONDS_PER_RUN + 8 ))"s --timeout 10s -s "$DATA/post.lua" "$SPINNER_URL" > "$DATA/spinner.out" &
        local wrk_pid=$!
        sleep 2
        steady
        wait "$wrk_pid"
        printf 'spinner: %s answers, %s not 2xx (504 timed out or 429 over its share)\n' \
            "$(grep -oE '^ +[0-9]+ requests' "$DATA/spinner.out" | grep -oE '[0-9]+')" "$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$DATA/spinner.out" | grep -oE '[0-9]+$' || echo 0)"
    }
    echo "bench: the standard call at $RATE/s, ${SECONDS_PER_RUN} s each: idle, beside the spinner, beside the spinner without a share"
    IDLE=$(steady)
    SHARED=$(beside_spinner)
    curl -sf -H "$K" localhost:5090/api/webhooks/bench_spinner | python3 -c 'import json, sys; w = json.load(sys.stdin); w["max_concurrency"] = 64; print(json.dumps(w))' \
        | curl -sf -X PUT -H "$K" -H "$J" localhost:5090/api/webhooks/bench_spinner --data-binary @- >/dev/null \
        || { echo "bench: could not set the spinner's max_concurrency" >&2; exit 1; }
    sleep 2
    UNSHARED=$(beside_spinner)
    echo
    echo "## Isolation, $(date -u +%Y-%m-%d), $(nproc) cores, script workers per service: ${Tower__ScriptWorkers:-default}"
    echo
    echo "| standard call at $RATE/s (open loop) | result |"
    echo "|---|---|"
    printf '| idle | %s |\n' "$IDLE"
    printf '| beside 16 callers of a webhook spinning to its 5 s limit (it holds half the workers) | %s |\n' "$(head -1 <<< "$SHARED" | tr -d '\n') ($(tail -1 <<< "$SHARED"))"
    printf '| the same, the spinner given max_concurrency 64 (every worker) | %s |\n' "$(head -1 <<< "$UNSHARED" | tr -d '\n') ($(tail -1 <<< "$UNSHARED"))"
    exit 0
fi

echo "bench: saturation, ${SECONDS_PER_RUN} s each"
wrk -t1 -c32 -d5s -s "$DATA/post.lua" "$FLOOR_URL" > /dev/null
# The floor's own CPU per call calibrates the VM's speed of the moment (it moves 30-50% between runs).
FLOOR_TICKS=$(awk '{print $14 + $15}' "/proc/$FLOOR_PID/stat")
read -r FLOOR_RPS FLOOR_N FLOOR_NON2XX FLOOR_ERR FLOOR_P50 FLOOR_P90 FLOOR_P99 FLOOR_MAX <<< "$(wrk_run "$FLOOR_URL" "$SECONDS_PER_RUN")"
FLOOR_CPU_US=$(( ($(awk '{print $14 + $15}' "/proc/$FLOOR_PID/stat") - FLOOR_TICKS) * 1000000 / $(getconf CLK_TCK) / (FLOOR_N > 0 ? FLOOR_N : 1) ))
if ! $QUICK; then
wrk -t1 -c32 -d5s -s "$DATA/post.lua" "$PEER_URL" > /dev/null
# The peer's CPU: utime, stime and its reaped commands' cutime, cstime (fields 14-17; its comm has no space).
PEER_TICKS=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$PEER_PID/stat")
read -r PEER_RPS PEER_N PEER_NON2XX PEER_ERR PEER_P50 PEER_P90 PEER_P99 PEER_MAX <<< "$(wrk_run "$PEER_URL" "$SECONDS_PER_RUN")"
PEER_CPU_US=$(( ($(awk '{print $14 + $15 + $16 + $17}' "/proc/$PEER_PID/stat") - PEER_TICKS) * 1000000 / $(getconf CLK_TCK) / (PEER_N > 0 ? PEER_N : 1) ))
fi
python3 bench/components.py cpu > "$DATA/cpu.before"
python3 bench/components.py switches > "$DATA/switches.before"
read -r RPS N NON2XX ERR P50 P90 P99 MAX <<< "$(wrk_run "$GATEWAY_URL" "$SECONDS_PER_RUN")"
python3 bench/components.py cpu > "$DATA/cpu.after"
python3 bench/components.py switches > "$DATA/switches.after"
ANSWERED=$(( ANSWERED + N ))
# µs of CPU per call: the total, then each component's share; the budget table into budget.md.
read -r CPU_US_PER_CALL CPU_SPLIT <<< "$(python3 - "$DATA/cpu.before" "$DATA/cpu.after" "$N" "$(getconf CLK_TCK)" "$DATA/budget.md" <<'PY'
import sys
read = lambda path: {name: int(ticks) for name, ticks in (line.split("\t") for line in open(path))}
before, after, calls, hz = read(sys.argv[1]), read(sys.argv[2]), max(int(sys.argv[3]), 1), int(sys.argv[4])
us = {name: (after[name] - before.get(name, 0)) * 1e6 / hz / calls for name in after}
rows = [("gateway", 100, us["Tower.Gateway"]),
        ("Auth with its workers", 110, us["Tower.Auth"] + us["Auth workers"]),
        ("Executor with its workers", 110, us["Tower.Executor"] + us["Executor workers"]),
        ("RabbitMQ + Logging + PostgreSQL", 130, us["RabbitMQ"] + us["Tower.Logging"] + us["PostgreSQL"]),
        ("Admin", None, us["Tower.Admin"]), ("total", 450, sum(us.values()))]
with open(sys.argv[5], "w") as out:
    out.write("| component | budget | measured |\n|---|---|---|\n")
    for name, budget, value in rows:
        over = " (over)" if budget is not None and value > budget else ""
        out.write(f"| {name} | {'-' if budget is None else f'≤ {budget}'} | {value:.0f}{over} |\n")
print(f"{sum(us.values()):.0f}", ", ".join(f"{name} {value:.0f}" for name, value in us.items()))
PY
)"
SWITCHES=$(python3 - "$DATA/switches.before" "$DATA/switches.after" "$N" <<'PY'
import sys
read = lambda path: {name: int(count) for name, count in (line.split("\t") for line in open(path))}
before, after, calls = read(sys.argv[1]), read(sys.argv[2]), max(int(sys.argv[3]), 1)
per_call = {name: (after[name] - before.get(name, 0)) / calls for name in after}
print(f"{sum(per_call.values()):.1f}:", ", ".join(f"{name} {value:.1f}" for name, value in per_call.items()))
PY
)
if $QUICK; then
    echo
    printf '| single-hop floor (wrk -c32) | %s req/s, CPU %s µs per call |\n' "$FLOOR_RPS" "$FLOOR_CPU_US"
    printf '| Tower saturation (wrk -c32) | %s req/s (%s× the floor), p50 %s ms, p90 %s ms, p99 %s ms, max %s ms, non-2xx %s, errors %s |\n' \
        "$RPS" "$(python3 -c "print(f'{$RPS / $FLOOR_RPS:.3f}')")" "$P50" "$P90" "$P99" "$MAX" "$NON2XX" "$ERR"
    printf '| CPU per call | %s µs: %s |\n' "$CPU_US_PER_CALL" "$CPU_SPLIT"
    printf '| context switches per call | %s |\n' "$SWITCHES"
    echo
    cat "$DATA/budget.md"
    exit 0
fi

if $PROFILE; then
    command -v perf >/dev/null || { echo "bench: installing perf"; apt-get install -y -qq linux-perf >/dev/null; }
    echo "bench: profiling a saturation run with perf"
    wrk -t1 -c32 -d"$SECONDS_PER_RUN"s -s "$DATA/post.lua" "$GATEWAY_URL" > "$DATA/wrk-profile.out" &
    WRK_PID=$!
    perf record -q -F 499 -g -a -o "$DATA/perf.data" -- sleep $(( SECONDS_PER_RUN - 1 )) 2>/dev/null
    wait "$WRK_PID"
    ANSWERED=$(( ANSWERED + $(grep -oE '^ +[0-9]+ requests' "$DATA/wrk-profile.out" | grep -oE '[0-9]+') ))
    perf script -f -i "$DATA/perf.data" -F pid,ip,sym -G 2>/dev/null > "$DATA/perf.txt"
    python3 bench/components.py pids > "$DATA/pids.txt"
fi

echo "bench: fixed rates (open loop), ${SECONDS_PER_RUN} s each"
LOAD=bench/Tower.Bench.Load/bin/Release/net10.0/Tower.Bench.Load.dll
RATES=""
for share in 25 50 75; do
    rate=$(( RPS * share / 100 ))
    line=$(dotnet "$LOAD" "$GATEWAY_URL" "$rate" "$SECONDS_PER_RUN" "$DATA/payload.json" "Content-Type: application/json" "X-Token: $TOKEN")
    RATES="$RATES$(printf '| open loop %s%% of peak | %s |' "$share" "$line")"$'\n'
    ANSWERED=$(( ANSWERED + $(sed -E 's/^rate [^ ]+  answered ([0-9]+) .*/\1/' <<< "$line") + $(sed -E 's/.*warm-up answered ([0-9]+).*/\1/' <<< "$line") ))
done

# Log completeness: every answered call stored once (the warm-up calls count too).
PSQL="psql -h 127.0.0.1 -p 25432 -U tower -d tower_logging -tA"
export PGPASSWORD=$(cat "$DATA/keys/postgres-password")
for _ in $(seq 1 30); do
    [ "$($PSQL -c "SELECT count(*) FROM webhook_calls WHERE webhook = 'bench_standard'")" -ge "$ANSWERED" ] && break
    sleep 1
done
STORED=$($PSQL -c "SELECT count(*) FROM webhook_calls WHERE webhook = 'bench_standard'")
DISTINCT=$($PSQL -c "SELECT count(DISTINCT id) FROM webhook_calls WHERE webhook = 'bench_standard'")

echo
echo "## Tower standard call, $(date -u +%Y-%m-%d), $(nproc) cores, everything co-located, dashboard: $DASHBOARD"
echo
echo "| run | result |"
echo "|---|---|"
printf '| single-hop floor (wrk -c32) | %s req/s, p50 %s ms, p90 %s ms, p99 %s ms, max %s ms, errors %s, CPU %s µs per call |\n' "$FLOOR_RPS" "$FLOOR_P50" "$FLOOR_P90" "$FLOOR_P99" "$FLOOR_MAX" "$FLOOR_ERR" "$FLOOR_CPU_US"
printf '| adnanh/webhook 2.8 (wrk -c32) | %s req/s, p50 %s ms, p90 %s ms, p99 %s ms, max %s ms, non-2xx %s, errors %s, CPU %s µs per call |\n' \
    "$PEER_RPS" "$PEER_P50" "$PEER_P90" "$PEER_P99" "$PEER_MAX" "$PEER_NON2XX" "$PEER_ERR" "$PEER_CPU_US"
printf '| Tower saturation (wrk -c32) | %s req/s (%s× the floor, Tower / adnanh/webhook = %s×), p50 %s ms, p90 %s ms, p99 %s ms, max %s ms, non-2xx %s, errors %s |\n' \
    "$RPS" "$(python3 -c "print(f'{$RPS / $FLOOR_RPS:.3f}')")" "$(python3 -c "print(f'{$RPS / max($PEER_RPS, 1):.2f}')")" "$P50" "$P90" "$P99" "$MAX" "$NON2XX" "$ERR"
printf '| CPU per call (services, workers, PostgreSQL, RabbitMQ) | %s µs: %s |\n' "$CPU_US_PER_CALL" "$CPU_SPLIT"
printf '| context switches per call | %s |\n' "$SWITCHES"
printf '%s' "$RATES"
printf '| log completeness | %s calls answered, %s records stored, %s distinct ids |\n' "$ANSWERED" "$STORED" "$DISTINCT"
echo
echo "CPU per standard call against the issue's budget (µs, Tower's saturation run; workers by the service that started them):"
echo
cat "$DATA/budget.md"
echo
echo "Memory (MB; PSS shares shared pages out, see bench/components.py):"
python3 bench/components.py memory
if $PROFILE; then
    echo
    echo "Hottest functions by component (share of all samples during a saturation run; perf data in $DATA/perf.data):"
    python3 - "$DATA/perf.txt" "$DATA/pids.txt" <<'PY'
import collections, sys
component = dict(line.rstrip("\n").split("\t") for line in open(sys.argv[2]))
samples = collections.defaultdict(collections.Counter)
for line in open(sys.argv[1]):
    fields = line.split(None, 2)
    if len(fields) >= 2:
        samples[component.get(fields[0], "other")][(fields[2] if len(fields) > 2 else "?").strip()[:110]] += 1
total = sum(sum(counter.values()) for counter in samples.values())
for name, counter in sorted(samples.items(), key=lambda item: -sum(item[1].values())):
    print(f"\n{name}: {100 * sum(counter.values()) / total:.1f}% of samples")
    for symbol, count in counter.most_common(15):
        print(f"  {100 * count / total:5.2f}%  {symbol}")
PY
fi
