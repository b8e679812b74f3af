# signbox — two commands set everything up: `make demo` and `make test`.
GO        ?= go
BIN       := $(CURDIR)/bin
STATICCHECK_VERSION := v0.8.2
export SIGNBOX_SOFTHSM_MODULE ?= /usr/lib/softhsm/libsofthsm2.so

.PHONY: all deps build test vet staticcheck unit demo demo-headless bench bench-scan fuzz mutate tui-smoke clean

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

## unit: the race-enabled suite over SoftHSM2, then the portable HSM and
## ceremony tests (TestAnyToken*) again over a second PKCS#11 implementation,
## tpm2-pkcs11 on a software TPM that scripts/with-tpm2.sh starts on
## 127.0.0.1 and stops.
TPM2_PACKAGES := ./hsm/ ./ceremony/ ./appliance/anytoken/
unit:
	$(GO) test -race -timeout 20m ./...
	scripts/with-tpm2.sh $(GO) test -race -count=1 -timeout 10m -run '^TestAnyToken' $(TPM2_PACKAGES)

## test: everything CI runs — vet, staticcheck and the race-enabled test suite over real SoftHSM2 tokens,
## the HSM tier a second time over tpm2-pkcs11.
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
## The run ends with a table of executions per target (make fuzz FUZZTIME=1m).
FUZZTIME ?= 30s
FUZZMINIMIZE ?= 5s
fuzz:
	FUZZMINIMIZE=$(FUZZMINIMIZE) scripts/fuzz-all.sh $(FUZZTIME)

## mutate: mutation testing (gremlins) of the security-critical packages, one
## package at a time under nice; slow (one `go test` per mutant), never part of
## `make test`. MUTATE_PKGS narrows it; figures and accepted survivors are in
## docs/TESTING.md.
mutate:
	scripts/mutate.sh $(MUTATE_PKGS)

## tui-smoke: drives `signbox init`, `signbox` and `signbox demo` in a real terminal through tmux.
tui-smoke: build
	@scripts/ensure-deps.sh tmux
	SIGNBOX_SMOKE_PINS="$${SIGNBOX_SMOKE_PINS:-alice-pin bob-pin}" scripts/tui-smoke.sh $(BIN)/signbox

clean:
	rm -rf $(BIN) $(CURDIR)/demo-workspace
