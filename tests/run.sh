#!/usr/bin/env bash
# The one test command. It installs what the tests need, runs every suite, and ends with one line,
# "N passed, N failed", summed over all suites. Anything that did not pass (failed, skipped, not
# run, or a suite that could not even start) counts as failed. Exit status 0 only if none failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

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

# Debian packages the tests call: promtool (prometheus), amtool (prometheus-alertmanager),
# PostgreSQL's server binaries (postgresql), from which the tests start throw-away servers,
# the shellcheck and docker-compose packages. kubectl (for kustomize) is on the machine.
require_debian_packages() {
  local missing=()
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
  # To lint the deploy scripts, and (compose v1) to validate the compose file offline.
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  # A read-only root and an unprivileged user for the least-privilege test (setpriv is in util-linux).
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
  # The load generator of the benchmark harness, whose smoke run is a suite here.
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} with apt-get"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# xunit suites: every test project in the solution, one TRX file each.
run_dotnet_tests() {
  log "dotnet test (xunit)"
  local status=0
  dotnet test MonitoredService.sln --configuration Release \
    --logger "trx" --results-directory "$results/dotnet" \
    --blame-hang-timeout 10m || status=$?

  local suite_passed=0 suite_total=0 trx counters
  shopt -s nullglob
  for trx in "$results"/dotnet/*.trx; do
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    suite_total=$((suite_total + $(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$counters")))
    suite_passed=$((suite_passed + $(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")))
  done
  shopt -u nullglob

  local suite_failed=$((suite_total - suite_passed))
  if [ "$status" -ne 0 ] && [ "$suite_failed" -eq 0 ]; then
    suite_failed=1 # the build or the test host failed before any test could
  fi
  echo "dotnet: $suite_passed passed, $suite_failed failed"
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
  run_dotnet_tests
  run_bench_smoke
  stop_leftover_servers
else
  echo "The test prerequisites could not be installed." >&2
  failed=$((failed + 1))
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
