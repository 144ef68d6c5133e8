# bulwark: build, test, benchmark, fuzz, install.
GO       ?= go
BIN      := bin/bulwark
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS  := -s -w -X main.version=$(VERSION)
PREFIX   ?= $(or $(GOBIN),$(HOME)/.local/bin)
PROFILE  ?= balanced
FUZZTIME ?= 60s

.PHONY: all build test e2e bench fuzz generate install uninstall clean

all: build

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/bulwark
	$(GO) build -trimpath -tags bulwark_mcp -ldflags "$(LDFLAGS)" -o $(BIN)-mcp ./cmd/bulwark

# Regenerate the Go form of the embedded packs and profiles from their TOML.
generate:
	$(GO) generate ./packs/... ./profiles/... ./commands/...

# The test command (CI runs exactly this). Fuzz targets run their seed corpora
# as plain tests here; long fuzzing is `make fuzz`.
test: build
	$(GO) vet ./...
	$(GO) vet -tags bulwark_mcp ./cmd/bulwark
	$(GO) test -count=1 ./...

# The end-to-end suite: the real Claude Code, Codex and Gemini CLI from the
# npm registry (pinned, cached) against a mock model on 127.0.0.1, with
# bulwark installed as their hook (see e2e/); then bulwark's MCP proxy in
# front of the real @modelcontextprotocol/server-filesystem (pinned, cached).
# Each part skips, saying so, without npm.
e2e:
	./scripts/e2e.sh
	./scripts/mcp-e2e.sh

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	./scripts/latency.sh
	./scripts/hyperfine.sh

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzAnalyze -fuzztime $(FUZZTIME) ./shell
	$(GO) test -run '^$$' -fuzz FuzzScan -fuzztime $(FUZZTIME) ./interp
	$(GO) test -run '^$$' -fuzz FuzzHookInput -fuzztime $(FUZZTIME) ./hooks
	$(GO) test -run '^$$' -fuzz FuzzPrefilterEquivalence -fuzztime $(FUZZTIME) ./guards
	$(GO) test -run '^$$' -fuzz '^FuzzRequiredLiterals$$' -fuzztime $(FUZZTIME) ./guards
	$(GO) test -run '^$$' -fuzz '^FuzzRequiredLiterals2$$' -fuzztime $(FUZZTIME) ./guards
	$(GO) test -run '^$$' -fuzz '^FuzzLitIndexScan$$' -fuzztime $(FUZZTIME) ./guards
	$(GO) test -run '^$$' -fuzz '^FuzzAccel$$' -fuzztime $(FUZZTIME) ./guards
	$(GO) test -run '^$$' -fuzz FuzzMask -fuzztime $(FUZZTIME) ./redact
	$(GO) test -run '^$$' -fuzz '^FuzzFindPrefilter$$' -fuzztime $(FUZZTIME) ./redact
	$(GO) test -run '^$$' -fuzz '^FuzzInstallUninstall$$' -fuzztime $(FUZZTIME) ./clients
	$(GO) test -run '^$$' -fuzz '^FuzzDocumentRoundTrip$$' -fuzztime $(FUZZTIME) ./installer
	$(GO) test -run '^$$' -fuzz FuzzCache -fuzztime $(FUZZTIME) ./config
	$(GO) test -run '^$$' -fuzz FuzzCheck -fuzztime $(FUZZTIME) ./protect
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./session
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/jsonlite
	$(GO) test -run '^$$' -fuzz '^FuzzAppendString$$' -fuzztime $(FUZZTIME) ./internal/jsonlite
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/makefile
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/gitconfig
	$(GO) test -run '^$$' -fuzz '^FuzzParseJustfile$$' -fuzztime $(FUZZTIME) ./runfile
	$(GO) test -run '^$$' -fuzz '^FuzzParseTaskfile$$' -fuzztime $(FUZZTIME) ./runfile
	$(GO) test -run '^$$' -fuzz '^FuzzPackageScripts$$' -fuzztime $(FUZZTIME) ./runfile
	$(GO) test -run '^$$' -fuzz '^FuzzLosses$$' -fuzztime $(FUZZTIME) ./guards
	$(GO) test -run '^$$' -fuzz '^FuzzMatch$$' -fuzztime $(FUZZTIME) ./internal/fnmatch
	$(GO) test -run '^$$' -fuzz '^FuzzGitOutput$$' -fuzztime $(FUZZTIME) ./backup
	$(GO) test -run '^$$' -fuzz '^FuzzProxy$$' -fuzztime $(FUZZTIME) ./mcp
	$(GO) test -run '^$$' -fuzz '^FuzzParseJSON$$' -fuzztime $(FUZZTIME) ./scan
	$(GO) test -run '^$$' -fuzz '^FuzzStripComments$$' -fuzztime $(FUZZTIME) ./scan
	$(GO) test -run '^$$' -fuzz '^FuzzTOMLKeys$$' -fuzztime $(FUZZTIME) ./scan
	$(GO) test -run '^$$' -fuzz '^FuzzPackageSpec$$' -fuzztime $(FUZZTIME) ./scan
	$(GO) test -run '^$$' -fuzz '^FuzzAuditFile$$' -fuzztime $(FUZZTIME) ./scan
	# The longer variants of the bounded tests in make test.
	$(GO) test -count=1 -run '^TestAuditUnderBurst$$' ./cmd/bulwark -burst 600

# Build, copy to PREFIX (on PATH), wire bulwark into Claude Code, and show it
# judging two commands on the embedded default profile.
install: build
	mkdir -p $(PREFIX)
	install -m 0755 $(BIN) $(PREFIX)/bulwark
	install -m 0755 $(BIN)-mcp $(PREFIX)/bulwark-mcp
	$(PREFIX)/bulwark install --profile $(PROFILE)
	@echo; echo '$$ bulwark check -- "rm -rf ~"'
	@$(PREFIX)/bulwark check --profile $(PROFILE) -- 'rm -rf ~' || true
	@echo; echo '$$ bulwark check -- "git status"'
	@$(PREFIX)/bulwark check --profile $(PROFILE) -- 'git status' || true
	@sh scripts/onpath.sh $(PREFIX)

uninstall:
	-$(PREFIX)/bulwark uninstall
	rm -f $(PREFIX)/bulwark $(PREFIX)/bulwark-mcp

clean:
	rm -rf bin
