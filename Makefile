# countermark — the README's two commands are `make demo` and `make test`.
# Each installs what it needs: a Rust toolchain through rustup when cargo is missing, the rustfmt and clippy
# components, and redis-server (apt-get) for the replay-store tests.

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo
SHARED ?= $(CURDIR)/../shared

.PHONY: fuzz all demo test build toolchain check-shared fmt-check clippy rust-test clean

all: test

## toolchain: make sure cargo, rustfmt and clippy are there (installs them with rustup when missing).
toolchain:
	@if ! command -v $(CARGO) >/dev/null 2>&1; then \
		echo "cargo not found: installing Rust with rustup (crates.io/rustup must be reachable)"; \
		if command -v rustup >/dev/null 2>&1; then rustup default stable; \
		else echo "rustup is not installed either; install Rust from your distribution (apt-get install cargo) or rustup" >&2; exit 2; fi; \
	fi
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy

## check-shared: the wire-contract vectors must be beside the repository.
check-shared:
	@test -d "$(SHARED)/vectors" || { echo "missing $(SHARED)/vectors: clone the shared contract beside this repository" >&2; exit 2; }

## build: release build of every crate (the CLI ends up in target/release/countermark).
build: toolchain
	$(CARGO) build --release --workspace --locked

fmt-check: toolchain
	$(CARGO) fmt --all -- --check

clippy: toolchain
	$(CARGO) clippy --workspace --all-targets --all-features --locked -- -D warnings

## rust-test: every Rust test, with the `redis` feature against a throw-away redis-server (installed with
## apt-get when missing, started on a free loopback port, stopped afterwards).
rust-test: toolchain check-shared
	COUNTERMARK_VECTORS="$(SHARED)/vectors" tests/with-redis.sh $(CARGO) test --workspace --all-features --locked

## test: every check and every test.
test: fmt-check clippy rust-test
	@echo "make test: all checks passed"

## demo: a walk-through of the CLI: keygen, tokens, tampering, signed URLs, expiry.
demo: build
	bash examples/cli-demo.sh target/release/countermark

## fuzz: every cargo-fuzz target for FUZZ_SECONDS (default 600) or FUZZ_RUNS executions (default 10M), whichever
## comes first, two at a time, on the nightly toolchain (installed with rustup when missing) with AddressSanitizer.
## New corpus entries land in fuzz/corpus/<target>/ (replayed by `make test`); crashes in fuzz/artifacts/.
FUZZ_SECONDS ?= 600
FUZZ_RUNS ?= 10000000
FUZZ_JOBS ?= 2
FUZZ_TARGETS := token ska fost hmac_header message_signatures jwt keys
fuzz: toolchain
	@rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	python3 fuzz/seeds.py "$(SHARED)/vectors" fuzz/corpus
	cd fuzz && cargo +nightly fuzz build -O
	mkdir -p target/fuzz-logs
	printf '%s\n' $(FUZZ_TARGETS) | xargs -P $(FUZZ_JOBS) -I{} sh -c \
		'cd fuzz && cargo +nightly fuzz run -O {} corpus/{} -- -max_total_time=$(FUZZ_SECONDS) -runs=$(FUZZ_RUNS) \
		 -rss_limit_mb=2048 -timeout=10 > ../target/fuzz-logs/{}.log 2>&1; echo "{}: exit $$?, $$(grep -o "Done [0-9]* runs in [0-9]* second" ../target/fuzz-logs/{}.log)"'

clean:
	$(CARGO) clean
