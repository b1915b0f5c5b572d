#!/bin/sh
# The log store's one-shot setup (compose service elasticsearch-setup; the Job of this directory):
# the ILM policy (30 days) and the index template of the data stream logs-monitoredservice-*, then
# Kibana's saved objects (a data view whose trace.id opens Jaeger, and saved searches). Idempotent:
# every step is a PUT or an import with overwrite, so it runs again after any change. POSIX sh and
# curl only (the curlimages/curl image).
#   ELASTICSEARCH_URL       http://elasticsearch:9200 by default
#   ELASTICSEARCH_USER      with ELASTICSEARCH_PASSWORD: basic authentication (never on a command line)
#   KIBANA_URL              unset: no saved objects (Kibana elsewhere, or none)
#   JAEGER_URL              what the data view's trace.id links to (http://localhost:16686 by default)
#   SETUP_TIMEOUT_SECONDS   how long to wait for each server to answer (300 by default)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
es=${ELASTICSEARCH_URL:-http://elasticsearch:9200}
kibana=${KIBANA_URL:-}
jaeger=${JAEGER_URL:-http://localhost:16686}
timeout=${SETUP_TIMEOUT_SECONDS:-300}

# curl with the credentials given on its standard input as configuration, so that they are in no
# process's arguments; fails on an HTTP error and prints the server's answer.
call() {
  if [ -n "${ELASTICSEARCH_USER:-}" ]; then
    printf 'user = "%s:%s"\n' "$ELASTICSEARCH_USER" "${ELASTICSEARCH_PASSWORD:-}" | curl --config - --silent --show-error --fail-with-body "$@"
  else
    curl --silent --show-error --fail-with-body "$@"
  fi
}

wait_for() {
  waited=0
  until call --output /dev/null --max-time 5 "$1" 2>/dev/null; do
    if [ "$waited" -ge "$timeout" ]; then
      echo "setup: $1 did not answer within ${timeout}s" >&2
      exit 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
}

wait_for "$es/_cluster/health?wait_for_status=yellow&timeout=5s"
echo "setup: ILM policy monitoredservice-logs"
call -X PUT "$es/_ilm/policy/monitoredservice-logs" -H 'Content-Type: application/json' --data-binary "@$here/ilm-policy.json"
echo
echo "setup: index template logs-monitoredservice"
call -X PUT "$es/_index_template/logs-monitoredservice" -H 'Content-Type: application/json' --data-binary "@$here/index-template.json"
echo
# A data stream that already exists keeps the settings of its write index until it rolls over:
# roll it over now, so that the policy and the mappings apply from the next document.
if call --output /dev/null "$es/_data_stream/logs-monitoredservice-default" 2>/dev/null; then
  echo "setup: rollover of logs-monitoredservice-default"
  call -X POST "$es/logs-monitoredservice-default/_rollover"
  echo
fi

if [ -n "$kibana" ]; then
  wait_for "$kibana/api/status"
  objects=$(mktemp)
  trap 'rm -f "$objects"' EXIT
  # Every kibana-saved-objects*.ndjson, in one import (an instance without authentication has no
  # file for its saved search).
  sed "s#http://localhost:16686#$jaeger#g" "$here"/kibana-saved-objects*.ndjson >"$objects"
  echo "setup: Kibana saved objects"
  call -X POST "$kibana/api/saved_objects/_import?overwrite=true" -H 'kbn-xsrf: true' --form "file=@$objects;filename=monitoredservice.ndjson"
  echo
fi
echo "setup: done"
