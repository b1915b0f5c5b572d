#!/usr/bin/env bash
# The one test command. It installs what the tests need, runs every suite, and ends with one line,
# "N passed, N failed", summed over all suites. Anything that did not pass (failed, skipped, not
# run, or a suite that could not even start) counts as failed. Exit status 0 only if none failed.
#
#   bash tests/run.sh          every suite, cheapest first (what CI runs)
#   bash tests/run.sh --fast   the library's unit tests and the in-process tests only (about a
#                              minute after the build): the loop while changing code
#
# The suites, by cost (docs/architecture.md): unit (the library alone), in-process
# (WebApplicationFactory), real process (signals, stdout, sinks' faults, end to end under
# Prometheus and Alertmanager), artifacts (rules, dashboards, manifests, compose, Dockerfile).
# They run one after the other, so that the real-process tests' timings see an idle machine.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

fast=false
case "${1:-}" in
  --fast) fast=true ;;
  "") ;;
  *) echo "usage: bash tests/run.sh [--fast]" >&2; exit 2 ;;
esac
suites=(MonitoredService.Unit.Tests MonitoredService.InProcess.Tests)
$fast || suites+=(MonitoredService.RealProcess.Tests MonitoredService.Artifacts.Tests)

results="$PWD/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
passed=0
failed=0

log() { printf '\n==> %s\n' "$*"; }

require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET SDK is required (see global.json); install it first." >&2
    return 1
  fi
}

# Debian packages the tests call: PostgreSQL's server binaries (postgresql), from which the tests
# start throw-away servers (the fast suites need only these); promtool (prometheus), amtool
# (prometheus-alertmanager), the exporters of the add-ons, the shellcheck and docker-compose
# packages. kubectl (for kustomize) is on the machine.
require_debian_packages() {
  local missing=()
  #if (WithPostgres)
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
  #endif
  # promtool (prometheus): the in-process exposition test checks /metrics with it.
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  if $fast; then
    install_debian_packages "${missing[@]}"
    return
  fi
  command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
  # To lint the deploy scripts, and (compose v1) to validate the compose file offline.
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  # A read-only root and an unprivileged user for the least-privilege test (setpriv is in util-linux).
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
  #if (SampleApi)
  # The load generator and the profiler of the benchmark harness, whose smoke run is a suite here.
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v perf >/dev/null 2>&1 || missing+=(linux-perf)
  #endif
  # The add-ons' exporters: the contract test checks the names rules and panels use against what
  # they expose, and the end-to-end test runs them under Prometheus.
  #if (WithPostgres)
  command -v prometheus-postgres-exporter >/dev/null 2>&1 || missing+=(prometheus-postgres-exporter)
  #endif
  command -v prometheus-blackbox-exporter >/dev/null 2>&1 || missing+=(prometheus-blackbox-exporter)
  command -v prometheus-node-exporter >/dev/null 2>&1 || missing+=(prometheus-node-exporter)
  # The log store's setup script is curl and sh; its test runs it with the machine's curl.
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  # The SMTP server the end-to-end test's Alertmanager mails critical alerts to (Debian's python3).
  /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
  install_debian_packages "${missing[@]}"
}

install_debian_packages() {
  [ $# -eq 0 ] && return 0
  log "installing $* with apt-get"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The .NET diagnostic tools the runbooks use (docs/diagnostics.md), for the test that attaches them
# to the sandboxed service; from NuGet, into artifacts/diagnostic-tools.
install_diagnostic_tools() {
  local tools="$PWD/artifacts/diagnostic-tools" tool
  for tool in dotnet-counters dotnet-gcdump dotnet-trace dotnet-dump; do
    [ -x "$tools/$tool" ] && continue
    log "installing $tool into artifacts/diagnostic-tools"
    dotnet tool install --tool-path "$tools" "$tool" --version 10.0.750501 >/dev/null || return 1
  done
}

build() {
  log "dotnet build (Release)"
  dotnet build MonitoredService.sln --configuration Release --nologo --verbosity quiet
}

# One xunit suite: its TRX file, and its line "name: N passed, N failed".
run_suite() {
  local suite=$1 status=0
  log "dotnet test $suite"
  dotnet test "tests/$suite/$suite.csproj" --configuration Release --no-build \
    --logger "trx" --results-directory "$results/$suite" \
    --blame-hang-timeout 10m || status=$?

  local suite_passed=0 suite_total=0 trx counters
  shopt -s nullglob
  for trx in "$results/$suite"/*.trx; do
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    suite_total=$((suite_total + $(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$counters")))
    suite_passed=$((suite_passed + $(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")))
  done
  shopt -u nullglob

  local suite_failed=$((suite_total - suite_passed))
  if [ "$status" -ne 0 ] && [ "$suite_failed" -eq 0 ]; then
    suite_failed=1 # the test host failed before any test could
  fi
  echo "$suite: $suite_passed passed, $suite_failed failed"
  passed=$((passed + suite_passed))
  failed=$((failed + suite_failed))
}

# The benchmark harness, briefly: it must keep working (tests/bench/run.sh; numbers in docs/benchmarks.md).
run_bench_smoke() {
  log "benchmark harness (smoke run)"
  if bash tests/bench/run.sh --smoke >"$results/bench-smoke.md" 2>"$results/bench-smoke.log"; then
    echo "bench smoke: 1 passed, 0 failed"
    passed=$((passed + 1))
  else
    tail -n 20 "$results/bench-smoke.log"
    echo "bench smoke: 0 passed, 1 failed"
    failed=$((failed + 1))
  fi
}

# Throw-away PostgreSQL servers stop with the test host; one left by a killed host is stopped, and
# its directory removed, here.
stop_leftover_servers() {
  pkill -INT -f 'postgres -D /tmp/monitoredservice-pg-' 2>/dev/null || true
  local waited=0
  while pgrep -f 'postgres -D /tmp/monitoredservice-pg-' >/dev/null && [ "$waited" -lt 30 ]; do
    sleep 1
    waited=$((waited + 1))
  done
  rm -rf /tmp/monitoredservice-pg-*
}

if require_dotnet && require_debian_packages; then
  if build; then
    if ! $fast && ! install_diagnostic_tools; then
      echo "diagnostic tools: 0 passed, 1 failed" # the diagnostics test then fails too
      failed=$((failed + 1))
    fi
    for suite in "${suites[@]}"; do
      run_suite "$suite"
    done
    #if (SampleApi)
    $fast || run_bench_smoke
    #endif
  else
    echo "build: 0 passed, 1 failed"
    failed=$((failed + 1))
  fi
  stop_leftover_servers
else
  echo "The test prerequisites could not be installed." >&2
  failed=$((failed + 1))
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
