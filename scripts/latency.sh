#!/usr/bin/env bash
# Whole-process latency of the hook exactly as `bulwark install` runs it,
# interleaved with /bin/true, a Go hello-world and the minimal Go JSON reader
# on the same events, as ratios; with callgrind instruction counts when
# valgrind is installed (see scripts/latency/main.go).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/bulwark}
[ -x "$BIN" ] || make build >/dev/null
exec go run ./scripts/latency -bin "$BIN" -n "${RUNS:-200}" "$@"
