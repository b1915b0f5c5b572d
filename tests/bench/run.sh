#!/usr/bin/env bash
# The benchmark harness: builds the service (Release), then measures it with wrk in every
# observability variant, interleaved, and prints a markdown report (also in artifacts/bench/).
#   bash tests/bench/run.sh            # the full run, about 13 minutes
#   bash tests/bench/run.sh --smoke    # about a minute; proves the harness works, its short profile included (the test command runs it)
#   bash tests/bench/run.sh --compare "request logs" [--connections 64] [--together]   # one variant against all off, 12 pairs of 5 s rounds, about 3 minutes (--together: both loaded at once, 20 rounds)
#   bash tests/bench/run.sh --profile "all on"   # the variant and all off loaded at once under perf: where the difference goes, about a minute
# Micro-benchmarks of the per-request code: dotnet run -c Release --project tests/MonitoredService.Benchmarks
set -euo pipefail
cd "$(dirname "$0")/../.." || exit 2

# wrk drives the load; perf samples the profile (--profile, and the smoke run's short one).
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v perf >/dev/null 2>&1 || missing+=(linux-perf)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet build MonitoredService.sln --configuration Release --nologo --verbosity quiet
dotnet run --project tests/MonitoredService.Bench --configuration Release --no-build -- "$@"
