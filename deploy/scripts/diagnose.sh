#!/usr/bin/env bash
# What an on-call engineer looks at first, for a MonitoredService deployment: the workload and its
# rollout, the pods (ready, restarts, last termination), recent events, each pod's /health/ready
# answer (through the API server's pod proxy: the image has no shell to exec into), and the recent
# error lines of each pod's log. Read-only: it changes nothing.
#
#   deploy/scripts/diagnose.sh <namespace> [--since 15m] [--selector app.kubernetes.io/name=monitoredservice]
#
# Exit status: 0 every pod is ready, 1 a pod is not ready (or there is none), 2 usage or no kubectl.
set -uo pipefail

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

namespace=""
since="15m"
selector="app.kubernetes.io/name=monitoredservice"
while [ $# -gt 0 ]; do
  case "$1" in
    --since) [ $# -ge 2 ] || usage; since="$2"; shift ;;
    --selector) [ $# -ge 2 ] || usage; selector="$2"; shift ;;
    -h | --help) usage ;;
    -*) echo "unknown option: $1" >&2; usage ;;
    *) [ -z "$namespace" ] || usage; namespace="$1" ;;
  esac
  shift
done
[ -n "$namespace" ] || usage
command -v kubectl >/dev/null || { echo "kubectl is required" >&2; exit 2; }

k() { kubectl --namespace "$namespace" "$@"; }
section() { printf '\n== %s\n' "$*"; }

section "Deployment, autoscaler, disruption budget"
k get deployment,hpa,pdb --selector "$selector" -o wide

section "Pods"
k get pods --selector "$selector" -o wide

section "Ready, restarts and last termination per pod"
k get pods --selector "$selector" -o \
  'custom-columns=POD:.metadata.name,READY:.status.containerStatuses[0].ready,RESTARTS:.status.containerStatuses[0].restartCount,LAST-TERMINATION:.status.containerStatuses[0].lastState.terminated.reason,EXIT-CODE:.status.containerStatuses[0].lastState.terminated.exitCode'

section "Recent events (probe failures, OOM kills, scheduling)"
k get events --sort-by=.lastTimestamp --field-selector type!=Normal | tail -n 20

not_ready=0
pods=$(k get pods --selector "$selector" -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}')
if [ -z "$pods" ]; then
  echo "no pod matches $selector in namespace $namespace"
  not_ready=1
fi
for pod in $pods; do
  section "Pod $pod"
  ready=$(k get pod "$pod" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')
  echo "Ready condition: ${ready:-unknown}"
  [ "$ready" = "True" ] || not_ready=1
  echo "/health/ready:"
  kubectl get --raw "/api/v1/namespaces/$namespace/pods/$pod:8080/proxy/health/ready" 2>&1 | head -c 2000
  echo
  echo "Errors in the last $since (log.level error or fatal):"
  k logs "$pod" --since="$since" 2>&1 | grep -E '"log.level":"(error|fatal)"' | tail -n 10
  echo "Previous container's last lines (after a restart):"
  k logs "$pod" --previous --tail=5 2>/dev/null || echo "(no previous container)"
done

section "Summary"
if [ "$not_ready" -ne 0 ]; then
  echo "NOT READY: see the pods above; runbooks in docs/runbooks/"
  exit 1
fi
echo "every pod is ready"
