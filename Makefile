# signbox — two commands set everything up: `make demo` and `make test`.
GO        ?= go
BIN       := $(CURDIR)/bin
STATICCHECK_VERSION := v0.8.2
export SIGNBOX_SOFTHSM_MODULE ?= /usr/lib/softhsm/libsofthsm2.so

.PHONY: all deps build test vet staticcheck unit demo demo-headless bench bench-scan fuzz tui-smoke clean

all: build

deps:
	@scripts/ensure-deps.sh registry

build: deps
	$(GO) build -o $(BIN)/signbox ./cmd/signbox

$(BIN)/staticcheck:
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

vet:
	$(GO) vet ./...

staticcheck: $(BIN)/staticcheck
	$(BIN)/staticcheck ./...

unit:
	$(GO) test -race -timeout 20m ./...

## test: everything CI runs — vet, staticcheck and the race-enabled test suite over real SoftHSM2 tokens.
test: deps vet staticcheck unit

## demo: a fresh SoftHSM-backed demo workspace and the release ceremony in the TUI
## (headless when there is no terminal). The previous demo workspace is removed first:
## it holds only throwaway demo tokens and outputs.
DEMO_WS ?= $(CURDIR)/demo-workspace
demo: build
	rm -rf $(DEMO_WS)
	$(BIN)/signbox demo --workspace $(DEMO_WS)

demo-headless: build
	rm -rf $(DEMO_WS)
	$(BIN)/signbox demo --headless --workspace $(DEMO_WS)

## bench: the figures in docs/BENCHMARKS.md.
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-scan: whole-process `signbox vuln scan --vex` on generated 1k/10k/100k SBOMs and the real
## proton-bridge one (RUNS, SIZES, OSV_SCANNER for the peer): the figures in docs/BENCHMARKS.md.
bench-scan: deps
	scripts/scan-bench.sh

## fuzz: each fuzz target for FUZZTIME (default 30s); minimising a new input
## is bounded by FUZZMINIMIZE (default 5s) so the time goes to fuzzing.
FUZZTIME ?= 30s
fuzz:
	scripts/fuzz-all.sh $(FUZZTIME)

## tui-smoke: drives `signbox demo` in a real terminal through tmux.
tui-smoke: build
	@scripts/ensure-deps.sh tmux
	SIGNBOX_SMOKE_PINS="$${SIGNBOX_SMOKE_PINS:-alice-pin bob-pin}" scripts/tui-smoke.sh $(BIN)/signbox

clean:
	rm -rf $(BIN) $(CURDIR)/demo-workspace
