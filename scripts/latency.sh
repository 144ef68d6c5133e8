#!/usr/bin/env bash
# Whole-process latency of the hook exactly as `bulwark install` runs it,
# against /bin/true, interleaved (see scripts/latency/main.go). Steadier than
# hyperfine's shell mode on a noisy machine; both are reported by `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/bulwark}
[ -x "$BIN" ] || make build >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BULWARK_HOME="$work/home"
cat > "$work/typical.json" <<'JSON'
{"session_id":"bench","transcript_path":"/tmp/t.jsonl","cwd":"/home/dev/project","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"cd web && npm ci && npm run build -- --mode production","description":"build"},"tool_use_id":"toolu_bench"}
JSON
go build -o "$work/latency" ./scripts/latency
"$work/latency" -n "${RUNS:-400}" -stdin "$work/typical.json" /bin/true "$BIN version" "$BIN hook --client claude --profile balanced"
