#!/usr/bin/env bash
# Mints an HS256 bearer token for a local stack (compose, tests, curl), from the same base64 key the
# service reads from Authentication:Jwt:SigningKey. Needs bash, openssl and base64; no network.
#
#   TOKEN=$(deploy/scripts/mint-token.sh --key-file deploy/compose/secrets/jwt-signing-key --scope items:write)
#   curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/items
#
# Options: --key-file F (base64 key; or the key in $JWT_SIGNING_KEY), --sub S (default: curl-user),
# --scope "a b" (space-separated; default none: reads only), --aud A, --iss I, --ttl SECONDS (default 3600; negative: already expired).
set -euo pipefail

key="${JWT_SIGNING_KEY:-}"
sub="curl-user" scope="" aud="" iss="" ttl=3600
while [[ $# -gt 0 ]]; do
  case "$1" in
    --key-file) key="$(tr -d ' \r\n' < "$2")"; shift 2 ;;
    --sub) sub="$2"; shift 2 ;;
    --scope) scope="$2"; shift 2 ;;
    --aud) aud="$2"; shift 2 ;;
    --iss) iss="$2"; shift 2 ;;
    --ttl) ttl="$2"; shift 2 ;;
    *) echo "mint-token.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -n "$key" ]] || { echo "mint-token.sh: give --key-file or JWT_SIGNING_KEY" >&2; exit 2; }

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
json_string() { local s="${1//\\/\\\\}"; printf '"%s"' "${s//\"/\\\"}"; }

now=$(date +%s)
exp=$((now + ttl))
issued=$(( exp - 60 < now ? exp - 60 : now )) # a negative --ttl gives a token that expired that long ago
payload="{\"sub\":$(json_string "$sub"),\"iat\":$issued,\"nbf\":$issued,\"exp\":$exp"
[[ -n "$scope" ]] && payload+=",\"scope\":$(json_string "$scope")"
[[ -n "$aud" ]] && payload+=",\"aud\":$(json_string "$aud")"
[[ -n "$iss" ]] && payload+=",\"iss\":$(json_string "$iss")"
payload+="}"

header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
body=$(printf '%s' "$payload" | b64url)
hexkey=$(printf '%s' "$key" | base64 -d | od -An -v -tx1 | tr -d ' \n')
signature=$(printf '%s.%s' "$header" "$body" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$body" "$signature"
