#!/usr/bin/env bash
# A synthetic check of a running MonitoredService, as a user and a probe see it: the three probes,
# /metrics, and an items round trip (create, read back, delete). Every request is bounded in time.
#
#   deploy/scripts/synthetic-check.sh http://localhost:8080
#   deploy/scripts/synthetic-check.sh --read-only --metrics-url http://localhost:9090 https://items.example.com
#
# Options:
#   --read-only          skip the round trip (no item is created)
#   --metrics-url URL    where /metrics is served, when on its own port (default: the service URL)
#   --timeout SECONDS    per request (default 5)
# A protected API (bearer tokens): the token in $MONITOREDSERVICE_TOKEN (an environment
# variable, not an argument, so that it never shows in ps); the round trip needs the items:write scope.
# Exit status: 0 every check passed, 1 a check failed (each is printed), 2 usage.
set -uo pipefail

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

read_only=false
timeout=5
base=""
metrics=""
while [ $# -gt 0 ]; do
  case "$1" in
    --read-only) read_only=true ;;
    --timeout) [ $# -ge 2 ] || usage; timeout="$2"; shift ;;
    --metrics-url) [ $# -ge 2 ] || usage; metrics="${2%/}"; shift ;;
    -h | --help) usage ;;
    -*) echo "unknown option: $1" >&2; usage ;;
    *) [ -z "$base" ] || usage; base="${1%/}" ;;
  esac
  shift
done
[ -n "$base" ] || usage
if ! [[ "$timeout" =~ ^[1-9][0-9]*$ ]]; then
  echo "--timeout: a whole number of seconds" >&2
  exit 2
fi
command -v curl >/dev/null || { echo "curl is required" >&2; exit 2; }
metrics="${metrics:-$base}"

failures=0
body=$(mktemp)
headers=$(mktemp)
trap 'rm -f "$body" "$headers"' EXIT

# request METHOD URL [DATA]: sets status (000 when there was no answer) and fills $body and $headers.
request() {
  local method="$1" url="$2" data="${3:-}"
  local args=(--silent --output "$body" --dump-header "$headers" --write-out '%{http_code}'
    --connect-timeout "$timeout" --max-time "$timeout" --request "$method")
  [ -z "$data" ] || args+=(--header 'Content-Type: application/json' --data "$data")
  # The token only to the API, from a here-string (curl reads headers from stdin: not in ps either).
  if [ -n "${MONITOREDSERVICE_TOKEN:-}" ] && [[ "$url" == "$base/api/"* ]]; then
    args+=(--header @-)
    status=$(curl "${args[@]}" "$url" 2>/dev/null <<<"Authorization: Bearer $MONITOREDSERVICE_TOKEN") || true
    status="${status:-000}"
    return
  fi
  status=$(curl "${args[@]}" "$url" 2>/dev/null) || true
  status="${status:-000}"
}

# check NAME EXPECTED: prints the outcome of the last request.
check() {
  local name="$1" expected="$2"
  if [ "$status" = "$expected" ]; then
    printf 'ok    %-10s %s\n' "$name" "$status"
  else
    printf 'FAIL  %-10s %s (expected %s)%s\n' "$name" "$status" "$expected" \
      "$([ "$status" = 000 ] && printf ': no HTTP answer (refused, unreachable, or over %s s)' "$timeout")"
    failures=$((failures + 1))
  fi
}

for probe in live ready startup; do
  request GET "$base/health/$probe"
  check "$probe" 200
done

request GET "$metrics/metrics"
if [ "$status" = 200 ] && ! grep -q '^monitoredservice_build_info{' "$body"; then
  status="200 without monitoredservice_build_info"
fi
check metrics 200

if [ "$read_only" = false ]; then
  name="synthetic-check $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  request POST "$base/api/items" "{\"name\":\"$name\"}"
  check create 201
  location=$(tr -d '\r' <"$headers" | sed -n 's/^[Ll]ocation: *//p' | head -n 1)
  if [ "$status" = 201 ] && [ -n "$location" ]; then
    [[ "$location" == http* ]] || location="$base$location"
    request GET "$location"
    if [ "$status" = 200 ] && ! grep -qF "\"name\":\"$name\"" "$body"; then
      status="200 with another item"
    fi
    check read 200
    request DELETE "$location"
    check delete 204
  fi
fi

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
