#!/usr/bin/env bash
# make e2e: install the real clients from the npm registry at pinned versions
# into a cache directory (once), then run the end-to-end suite (./e2e)
# against them with a mock model on 127.0.0.1. Without npm or the registry
# it says SKIP and why, loudly, and exits 0: the suite did not run.
set -euo pipefail
cd "$(dirname "$0")/.."

CLAUDE_CODE_VERSION=2.1.332
CODEX_VERSION=0.171.0
GEMINI_CLI_VERSION=0.61.0
CACHE="${BULWARK_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-e2e}"
PREFIX="$CACHE/clients-cc$CLAUDE_CODE_VERSION-cx$CODEX_VERSION-gm$GEMINI_CLI_VERSION"

skip() {
	echo "=================================================================="
	echo "SKIP end-to-end suite: $*"
	echo "(the real clients could not be installed; nothing was verified)"
	echo "=================================================================="
	exit 0
}

command -v npm >/dev/null || skip "npm is not installed"
command -v node >/dev/null || skip "node is not installed"
if [ ! -x "$PREFIX/node_modules/@anthropic-ai/claude-code-linux-x64/claude" ] ||
	[ ! -d "$PREFIX/node_modules/@openai/codex-linux-x64" ] ||
	[ ! -f "$PREFIX/node_modules/@google/gemini-cli/bundle/gemini.js" ]; then
	mkdir -p "$PREFIX"
	echo "installing the clients into $PREFIX"
	# --ignore-scripts: nothing downloads at install time; the native
	# binaries come as the *-linux-x64 optional dependencies.
	if ! timeout 900 npm install --prefix "$PREFIX" --no-audit --no-fund --ignore-scripts --loglevel=error \
		"@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" "@openai/codex@$CODEX_VERSION" "@google/gemini-cli@$GEMINI_CLI_VERSION"; then
		skip "npm install from the registry failed"
	fi
fi
go build -o bin/bulwark-e2e ./cmd/bulwark
BULWARK_E2E_CLIENTS="$PREFIX" BULWARK_E2E_BIN="$PWD/bin/bulwark-e2e" \
	go test -count=1 -v -timeout 40m ./e2e 2>&1 | tee bin/e2e.log | grep -E '^(=== RUN|--- |    --- |PASS|FAIL|ok|SKIP)|RESULT' || true
# The pipeline hides go test's status: read it from the log.
grep -q '^ok ' bin/e2e.log && ! grep -q '^--- FAIL' bin/e2e.log
