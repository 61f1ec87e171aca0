# Everything a contributor or CI runs. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO                    ?= go
BIN                   := $(CURDIR)/.bin
OASDIFF_VERSION       := v1.37.0
GOLANGCI_LINT_VERSION := v2.15.0
GREMLINS_VERSION      := v0.6.0
OASDIFF               := $(BIN)/oasdiff-$(OASDIFF_VERSION)
GOLANGCI_LINT         := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
GREMLINS              := $(BIN)/gremlins-$(GREMLINS_VERSION)
# Packages mutated by `make mutate`, each against its own tests only (a
# package of the nested vault/ module is run from that module).
MUTATE_PKGS           ?= ./wrapper ./wrapper/lifecycle ./api ./vault/fastlyrules
# The nested module of the Vault/OpenBao engine: its own go.mod, tested too.
VAULT_DIR             := vault
MUTATE_WORKERS        ?= 2
# Base of the contract diff: a git ref (default: the merge base with main).
CONTRACT_BASE         ?=
FUZZTIME              ?= 5s
# Minimising a new input is cut short, so a brief run never ends inside it.
FUZZMINIMIZE          ?= 1s

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'

.PHONY: generate
generate: ## Regenerate gen/ from openapi/tokens.yaml with the pinned oapi-codegen
	$(GO) generate ./...

.PHONY: check-generate
check-generate: generate ## Regenerate and fail if gen/ (or go.mod) differs from what is committed
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit" >&2; exit 1; }
	@cd $(VAULT_DIR) && $(GO) mod tidy -diff || { echo "vault/go.mod is not tidy: run 'go mod tidy' in vault/ and commit" >&2; exit 1; }
	@grep -q 'github.com/hashicorp/vault/sdk v0.23.0$$' $(VAULT_DIR)/go.mod || { echo "vault/go.mod must pin github.com/hashicorp/vault/sdk v0.23.0 (later versions carry BUSL files)" >&2; exit 1; }
	@git diff --exit-code -- gen || { echo "gen/ is stale: run 'make generate' and commit" >&2; exit 1; }
	@untracked=$$(git status --porcelain -- gen); if [ -n "$$untracked" ]; then \
		echo "gen/ has uncommitted files:" >&2; echo "$$untracked" >&2; exit 1; fi
	@echo "gen/ is up to date"

.PHONY: test
test: ## Run the whole test suite with the race detector (the library and the vault/ engine)
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	# The race detector inflates allocations: the memory bounds are measured without it.
	$(GO) test -count=1 -run 'TestListBoundedByElements|TestContentLengthIsNotPreallocated' ./wrapper
	cd $(VAULT_DIR) && $(GO) vet ./... && $(GO) test -race -count=1 ./...

.PHONY: fuzz
fuzz: ## Run each fuzz test briefly (FUZZTIME=5s)
	$(GO) test ./wrapper -run '^$$' -fuzz '^FuzzDecodeToken$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE)
	$(GO) test ./wrapper -run '^$$' -fuzz '^FuzzDecodeList$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE)
	$(GO) test ./wrapper -run '^$$' -fuzz '^FuzzParseError$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE)
	$(GO) test ./wrapper -run '^$$' -fuzz '^FuzzSanitize$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE)
	$(GO) test ./wrapper -run '^$$' -fuzz '^FuzzRedact$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE)

.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint (pinned) on both modules
	$(GOLANGCI_LINT) run ./...
	cd $(VAULT_DIR) && $(GOLANGCI_LINT) run ./...

.PHONY: contract
contract: $(OASDIFF) ## Validate the contract and diff it against CONTRACT_BASE with oasdiff (pinned)
	$(GO) test -count=1 ./openapi/
	OASDIFF=$(OASDIFF) openapi/contract-diff-selftest.sh
	OASDIFF=$(OASDIFF) openapi/contract-diff.sh $(CONTRACT_BASE)

.PHONY: bench
bench: ## Benchmark wrapper against a hand-written net/http floor and print the ratios
	$(GO) run ./wrapper/internal/benchratio

.PHONY: demo
demo: ## Walk through every operation against the in-memory API (no credentials, no network)
	$(GO) run ./cmd/demo

.PHONY: mutate
mutate: $(GREMLINS) ## Mutation testing (slow; weekly in CI): efficacy and survivors per package, checked against MUTATION.md
	GREMLINS=$(GREMLINS) WORKERS=$(MUTATE_WORKERS) .ci/mutate.sh $(MUTATE_PKGS)

.PHONY: ci
ci: test check-generate contract lint fuzz ## Everything CI checks

.PHONY: tools
tools: $(OASDIFF) $(GOLANGCI_LINT) $(GREMLINS) ## Install the pinned oasdiff, golangci-lint and gremlins into .bin/

$(OASDIFF):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) GOFLAGS=-mod=mod $(GO) install github.com/oasdiff/oasdiff@$(OASDIFF_VERSION)
	mv $(BIN)/oasdiff $@

$(GOLANGCI_LINT):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) GOFLAGS=-mod=mod $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/golangci-lint $@

$(GREMLINS):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) GOFLAGS=-mod=mod $(GO) install github.com/go-gremlins/gremlins/cmd/gremlins@$(GREMLINS_VERSION)
	mv $(BIN)/gremlins $@
