# countermark — the README's two commands are `make demo` and `make test`.
# Each installs what it needs: a Rust toolchain through rustup when cargo is missing, the rustfmt and clippy
# components, and redis-server (apt-get) for the replay-store tests.

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo
SHARED ?= $(CURDIR)/../shared
PYTHON ?= python3
VENV := $(CURDIR)/.venv
VPY := $(VENV)/bin/python

.PHONY: all demo test build toolchain check-shared fmt-check clippy rust-test venv wheel py-test clean

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

## build: release build of every crate (the CLI ends up in target/release/countermark) and the Python wheel
## in dist/.
build: toolchain wheel
	$(CARGO) build --release --workspace --locked

## venv: .venv with maturin, pytest, mypy and the reference libraries (python/requirements-test.txt).
venv: $(VENV)/.installed
$(VENV)/.installed: python/requirements-test.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r python/requirements-test.txt
	touch $@

## wheel: the abi3 wheel of the countermark Python package, in dist/.
wheel: toolchain venv
	rm -f dist/countermark-*.whl
	cd python && $(VPY) -m maturin build --release --locked --quiet --out ../dist

## py-test: installs the wheel into .venv and into a fresh throw-away venv (where `import countermark` must
## work with nothing else installed), then runs pytest over python/tests and mypy's stubtest.
py-test: wheel check-shared
	$(VPY) -m pip install -q --force-reinstall --no-deps dist/countermark-*.whl
	rm -rf target/fresh-venv && $(PYTHON) -m venv target/fresh-venv
	target/fresh-venv/bin/pip install -q --no-deps dist/countermark-*.whl
	cd /tmp && $(CURDIR)/target/fresh-venv/bin/python -c "import countermark; print('fresh venv: countermark', countermark.__version__)"
	cd python/tests && COUNTERMARK_VECTORS="$(SHARED)/vectors" $(VPY) -m pytest -q -p no:cacheprovider .
	cd /tmp && $(VPY) -m mypy.stubtest countermark._countermark

fmt-check: toolchain
	$(CARGO) fmt --all -- --check

clippy: toolchain
	$(CARGO) clippy --workspace --all-targets --all-features --locked -- -D warnings

## rust-test: every Rust test, with the `redis` feature against a throw-away redis-server (installed with
## apt-get when missing, started on a free loopback port, stopped afterwards).
rust-test: toolchain check-shared
	COUNTERMARK_VECTORS="$(SHARED)/vectors" tests/with-redis.sh $(CARGO) test --workspace --all-features --locked

## test: every check and every test.
test: fmt-check clippy rust-test py-test
	@echo "make test: all checks passed"

## demo: a walk-through of the CLI: keygen, tokens, tampering, signed URLs, expiry.
demo: build
	bash examples/cli-demo.sh target/release/countermark

clean:
	$(CARGO) clean
