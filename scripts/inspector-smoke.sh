#!/usr/bin/env bash
# MCP Inspector CLI smoke test: lists tools and calls world_whoami, over stdio and over HTTP, exactly as
# the README tells a user to. The Inspector is installed from npm into a scratch prefix (not a project
# dependency). Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

INSPECTOR_VERSION=2.12.0
TOOLS=${INSPECTOR_TOOLS:-$HOME/.cache/agent-ecology/inspector-$INSPECTOR_VERSION}
mkdir -p "$TOOLS"
if [ ! -x "$TOOLS/node_modules/.bin/mcp-inspector" ]; then
  [ -f "$TOOLS/package.json" ] || echo '{"private":true}' > "$TOOLS/package.json"
  npm i --prefix "$TOOLS" --no-audit --no-fund --save-exact "@modelcontextprotocol/inspector@$INSPECTOR_VERSION" >/dev/null || { echo "inspector: install failed"; exit 1; }
fi
INSPECTOR="$TOOLS/node_modules/.bin/mcp-inspector"

WORK=$(mktemp -d)
DB="$WORK/world.db"
LOG="$WORK/serve.log"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

node bin/ecology.mjs principal create alice --db "$DB" >/dev/null || { echo "inspector: could not create a principal"; exit 1; }
TOKEN=$(node bin/ecology.mjs token create alice --db "$DB") || { echo "inspector: could not create a token"; exit 1; }

failed=0
expect() { # name, pattern, command...
  local name=$1 pattern=$2; shift 2
  local out
  out=$(timeout 120 "$@" 2>&1)
  if grep -q "$pattern" <<<"$out"; then echo "inspector $name: passed"; else echo "inspector $name: FAILED"; echo "$out" | head -20; failed=$((failed + 1)); fi
}

expect "stdio tools/list" '"name": "world_whoami"' "$INSPECTOR" --cli node bin/ecology.mjs stdio --as alice --db "$DB" --method tools/list
expect "stdio world_whoami" '"principal": "alice"' "$INSPECTOR" --cli node bin/ecology.mjs stdio --as alice --db "$DB" --method tools/call --tool-name world_whoami

node bin/ecology.mjs serve --port 0 --db "$DB" 2>"$LOG" &
PID=$!
URL=""
for _ in $(seq 1 200); do
  URL=$(grep -o 'http://127.0.0.1:[0-9]*/mcp' "$LOG" | head -1)
  [ -n "$URL" ] && break
  sleep 0.1
done
if [ -z "$URL" ]; then echo "inspector: server did not start"; cat "$LOG"; exit 1; fi
expect "http tools/list" '"name": "ledger_transfer"' "$INSPECTOR" --cli "$URL" --transport http --header "Authorization: Bearer $TOKEN" --method tools/list
expect "http world_whoami" '"principal": "alice"' "$INSPECTOR" --cli "$URL" --transport http --header "Authorization: Bearer $TOKEN" --method tools/call --tool-name world_whoami
exit $failed
