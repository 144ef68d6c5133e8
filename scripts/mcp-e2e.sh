#!/usr/bin/env bash
# make e2e, MCP part: install the real @modelcontextprotocol/server-filesystem
# from the npm registry at a pinned version into a cache directory (once),
# then run the suite's MCP cases (e2e/mcp_test.go) against it through
# bulwark's proxy. Without npm or the registry it says SKIP and why, loudly,
# and exits 0: those cases did not run.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER_FILESYSTEM_VERSION=2026.8.31
CACHE="${BULWARK_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-e2e}"
PREFIX="$CACHE/mcp-fs-$SERVER_FILESYSTEM_VERSION"
SERVER="$PREFIX/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"

skip() {
	echo "=================================================================="
	echo "SKIP MCP end-to-end cases: $*"
	echo "(the real MCP server could not be installed; nothing was verified)"
	echo "=================================================================="
	exit 0
}

command -v npm >/dev/null || skip "npm is not installed"
command -v node >/dev/null || skip "node is not installed"
if [ ! -f "$SERVER" ]; then
	mkdir -p "$PREFIX"
	echo "installing @modelcontextprotocol/server-filesystem@$SERVER_FILESYSTEM_VERSION into $PREFIX"
	if ! timeout 600 npm install --prefix "$PREFIX" --no-audit --no-fund --ignore-scripts --loglevel=error \
		"@modelcontextprotocol/server-filesystem@$SERVER_FILESYSTEM_VERSION"; then
		skip "npm install from the registry failed"
	fi
fi
mkdir -p bin/mcp-e2e
go build -o bin/mcp-e2e/bulwark ./cmd/bulwark
go build -tags bulwark_mcp -o bin/mcp-e2e/bulwark-mcp ./cmd/bulwark
BULWARK_MCP_FS="$SERVER" BULWARK_MCP_BIN="$PWD/bin/mcp-e2e/bulwark" \
	go test -count=1 -v -timeout 10m -run '^TestMCP' ./e2e 2>&1 | tee bin/mcp-e2e.log | grep -E '^(=== RUN|--- |    --- |PASS|FAIL|ok|SKIP)' || true
grep -q '^ok ' bin/mcp-e2e.log && ! grep -q -- '--- FAIL' bin/mcp-e2e.log
