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

.PHONY: dist dist-check crate-check bench fuzz py-asan all demo django-demo signers test build toolchain check-shared fmt-check clippy rust-test clean ffi header header-check c-test go-test go-bench venv wheel py-test mutants

# cbindgen is pinned: the committed header is byte-for-byte what this version generates.
CBINDGEN_VERSION := 0.29.4
# Pinned tools are installed once per machine (outside the clone), so repeated runs and clean clones reuse them.
TOOLS ?= $(HOME)/.cache/countermark/tools-cbindgen-$(CBINDGEN_VERSION)
CBINDGEN := $(TOOLS)/bin/cbindgen

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

## dist: the Python package's release artefacts in dist/ (not part of `make test`): abi3 wheels for manylinux2014
## (glibc 2.17) on x86_64 and aarch64, cross-built by maturin with Zig as C compiler and linker (ziglang and
## auditwheel from python/requirements-dist.txt into .venv; the Rust targets added with rustup when missing), with
## the `dist` Cargo profile (LTO, one codegen unit, stripped), and the sdist, which pip builds with a Rust toolchain.
DIST_TARGETS := x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu
dist: toolchain venv $(VENV)/.installed-dist
	@for t in $(DIST_TARGETS); do rustup target list --installed | grep -qx $$t || rustup target add $$t; done
	rm -f dist/countermark-*
	for t in $(DIST_TARGETS); do \
		(cd python && PATH=$(VENV)/bin:$$PATH $(VPY) -m maturin build --profile dist --locked --quiet --zig \
			--compatibility manylinux2014 --target $$t --out ../dist) || exit 1; \
	done
	cd python && $(VPY) -m maturin sdist --out ../dist
	@ls -l dist/countermark-*

$(VENV)/.installed-dist: python/requirements-dist.txt $(VENV)/.installed
	$(VPY) -m pip install -q -r python/requirements-dist.txt
	touch $@

## crate-check: the Rust crate as crates.io would take it (`cargo publish --dry-run -p countermark`: packages the
## core and builds it from the package; reads the crates.io index) and the CLI as `cargo install --path cli`
## installs it (into target/crate-check, then runs `countermark --version`). Not part of `make test`.
crate-check: toolchain
	$(CARGO) publish --dry-run -p countermark --locked
	rm -rf target/crate-check
	$(CARGO) install --path cli --root target/crate-check --locked --quiet
	target/crate-check/bin/countermark --version

## dist-check: tests of what `make dist` leaves (not part of `make test`; minutes, the sdist compiles from
## scratch): each wheel's tags, architecture and glibc floor (tests/dist_wheel_check.py: readelf's GLIBC_ version
## needs <= 2.17, and auditwheel show); the sdist holds the core crate, the lock file and the licences; the x86_64
## wheel and the sdist (built by pip) each install into a fresh venv and pass tests/dist_smoke.py (version,
## handshake tokens and RFC 9421 signatures of ../shared/vectors byte for byte), run from outside the tree.
DIST_VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' $(CURDIR)/Cargo.toml | head -1)
dist-check: dist check-shared
	$(VPY) tests/dist_wheel_check.py dist/countermark-*manylinux2014_x86_64*.whl x86_64
	$(VPY) tests/dist_wheel_check.py dist/countermark-*manylinux2014_aarch64*.whl aarch64
	tar -tzf dist/countermark-*.tar.gz > target/dist-sdist-files.txt
	for f in pyproject.toml Cargo.toml Cargo.lock core/Cargo.toml core/src/lib.rs python/Cargo.toml python/src/lib.rs \
		python/countermark/__init__.py python/countermark/py.typed python/README.md LICENSE-MIT LICENSE-APACHE PKG-INFO; do \
		grep -qx "countermark-[0-9.]*/$$f" target/dist-sdist-files.txt || { echo "sdist lacks $$f" >&2; exit 1; }; done
	rm -rf target/dist-check && mkdir -p target/dist-check
	$(PYTHON) -m venv target/dist-check/wheel-venv
	target/dist-check/wheel-venv/bin/pip install -q dist/countermark-*manylinux2014_x86_64*.whl
	cd /tmp && $(CURDIR)/target/dist-check/wheel-venv/bin/python $(CURDIR)/tests/dist_smoke.py "$(SHARED)/vectors" $(DIST_VERSION)
	$(PYTHON) -m venv target/dist-check/sdist-venv
	CARGO_TARGET_DIR=$(CURDIR)/target/dist-sdist-build target/dist-check/sdist-venv/bin/pip install -q dist/countermark-*.tar.gz
	cd /tmp && $(CURDIR)/target/dist-check/sdist-venv/bin/python $(CURDIR)/tests/dist_smoke.py "$(SHARED)/vectors" $(DIST_VERSION)
	@echo "make dist-check: wheels and sdist passed"

## py-test: installs the wheel into .venv and into a fresh throw-away venv (where `import countermark` must
## work with nothing else installed), then runs pytest over python/tests, mypy's stubtest, and the Django suite
## (python/tests-django: pytest-django, SQLite, a real Redis as the cache).
py-test: wheel check-shared
	$(VPY) -m pip install -q --force-reinstall --no-deps dist/countermark-*.whl
	rm -rf target/fresh-venv && $(PYTHON) -m venv target/fresh-venv
	target/fresh-venv/bin/pip install -q --no-deps dist/countermark-*.whl
	cd /tmp && $(CURDIR)/target/fresh-venv/bin/python -c "import countermark; print('fresh venv: countermark', countermark.__version__)"
	cd python/tests && COUNTERMARK_VECTORS="$(SHARED)/vectors" $(VPY) -m pytest -q -p no:cacheprovider .
	cd /tmp && $(VPY) -m mypy.stubtest countermark._countermark
	cd python/python && $(VPY) -m mypy --ignore-missing-imports --disable-error-code import-untyped countermark
	@echo "countermark.django suite (python/tests-django): SQLite, and a throw-away redis-server as the cache"
	cd python/tests-django && $(CURDIR)/tests/with-redis.sh $(VPY) -m pytest -q .

fmt-check: toolchain
	$(CARGO) fmt --all -- --check

clippy: toolchain
	$(CARGO) clippy --workspace --all-targets --all-features --locked -- -D warnings

## rust-test: every Rust test, with the `redis` feature against a throw-away redis-server (installed with
## apt-get when missing, started on a free loopback port, stopped afterwards).
rust-test: toolchain check-shared
	COUNTERMARK_VECTORS="$(SHARED)/vectors" tests/with-redis.sh $(CARGO) test --workspace --all-features --locked

## ffi: the C library, target/release/libcountermark.{so,a}, and countermark.pc beside them.
ffi: toolchain
	$(CARGO) build --release -p countermark-ffi --locked
	sed -e 's|@PREFIX@|$(CURDIR)|' -e 's|@LIBDIR@|$(CURDIR)/target/release|' \
		-e 's|@INCLUDEDIR@|$(CURDIR)/include|' -e "s|@VERSION@|$$(sed -n 's/^version = \"\(.*\)\"/\1/p' Cargo.toml | head -1)|" \
		ffi/countermark.pc.in > target/release/countermark.pc
	ln -sf libcountermark.so target/release/libcountermark.so.$$(sed -n 's/^version = \"\([0-9]*\.[0-9]*\).*/\1/p' Cargo.toml | head -1)

$(CBINDGEN):
	@echo "installing cbindgen $(CBINDGEN_VERSION) into $(TOOLS)"
	$(CARGO) install cbindgen --version $(CBINDGEN_VERSION) --locked --root $(TOOLS) --quiet

# cargo-mutants is pinned too, so figures in MUTANTS.md are comparable between runs.
CARGO_MUTANTS_VERSION := 27.1.0
MUTANTS_TOOLS ?= $(HOME)/.cache/countermark/tools-cargo-mutants-$(CARGO_MUTANTS_VERSION)
CARGO_MUTANTS := $(MUTANTS_TOOLS)/bin/cargo-mutants
# What `make mutants` runs per mutant: the core's unit and integration tests, not its doctests (each doctest is a
# separate compile; they would double the time per mutant). Narrow it for one file, e.g.
#   make mutants MUTANTS_ARGS="-F ^core/src/token.rs" MUTANTS_TEST_ARGS="--lib --test handshake_vectors --test attacks"
# (`-F` is a regex on the mutant names, which start with the file; `-f` would add to the globs of the config).
MUTANTS_TEST_ARGS ?= --lib --tests
MUTANTS_ARGS ?=
MUTANTS_JOBS ?= 1
# Seconds per mutant's test run (a mutant that loops forever is a timeout, not a hang); the build is separate.
MUTANTS_TIMEOUT ?= 300
# mutants.out is created in this directory (a previous one is renamed mutants.out.old).
MUTANTS_OUT ?= target
# With one job the mutants build in a target dir kept between runs (the dependencies are built once); with more,
# each of cargo-mutants' build directories has its own (a shared one would serialise them on its lock).
MUTANTS_TARGET_DIR ?= $(if $(filter 1,$(MUTANTS_JOBS)),$(CURDIR)/target/mutants-build)

$(CARGO_MUTANTS):
	@echo "installing cargo-mutants $(CARGO_MUTANTS_VERSION) into $(MUTANTS_TOOLS)"
	$(CARGO) install cargo-mutants --version $(CARGO_MUTANTS_VERSION) --locked --root $(MUTANTS_TOOLS) --quiet

## mutants: mutation testing of the core's parse and verify code (.cargo/mutants.toml lists the files) with the
## pinned cargo-mutants; not part of `make test` (a full run takes hours, see MUTANTS.md). Results in
## $(MUTANTS_OUT)/mutants.out (caught.txt, missed.txt, timeout.txt, unviable.txt, outcomes.json); the mutants build in a copy
## of the tree (see MUTANTS_TARGET_DIR). Add `--iterate` to MUTANTS_ARGS to
## skip the mutants a previous run caught.
mutants: toolchain check-shared $(CARGO_MUTANTS)
	COUNTERMARK_VECTORS="$(SHARED)/vectors" $(if $(MUTANTS_TARGET_DIR),CARGO_TARGET_DIR="$(MUTANTS_TARGET_DIR)") \
		$(CARGO_MUTANTS) mutants --package countermark --output $(MUTANTS_OUT) --jobs $(MUTANTS_JOBS) \
		--timeout $(MUTANTS_TIMEOUT) $(MUTANTS_ARGS) -- $(MUTANTS_TEST_ARGS)

## header: regenerate include/countermark.h from ffi/src with the pinned cbindgen.
header: $(CBINDGEN)
	$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate countermark-ffi --output include/countermark.h ffi

## header-check: the committed header is what cbindgen generates now, every item is documented, and the version
## macros equal Cargo.toml.
header-check: $(CBINDGEN)
	@mkdir -p target
	$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate countermark-ffi --output target/countermark.h.new ffi
	@diff -u include/countermark.h target/countermark.h.new || { echo "include/countermark.h is stale: run 'make header' and commit it" >&2; exit 1; }
	python3 tests/check_header.py include/countermark.h Cargo.toml

## c-test: the C programs of tests/c against the header and the library, under ASan+UBSan and under valgrind.
c-test: toolchain check-shared
	COUNTERMARK_VECTORS="$(SHARED)/vectors" tests/c/run.sh
	@echo "examples/c/hello.c (the README's C example), under valgrind:"
	gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude examples/c/hello.c target/debug/libcountermark.a \
		-lm -ldl -pthread -o target/c-tests/hello
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect target/c-tests/hello

## test: every check and every test.
## go-test: the Go binding (go/run-tests.sh: gofmt, go vet, go test -race with every vector, a GOGC=1 cgocheck run)
## against the static library; installs Go with apt-get when it is missing.
go-test: ffi check-shared
	$(ensure-go)
	COUNTERMARK_VECTORS="$(SHARED)/vectors" go/run-tests.sh

## go-bench: the Go benchmarks (token verify, signed-URL validate, RFC 9421 verify, crypto/hmac, one cgo call).
go-bench: ffi
	cd go && go test -run XXX -bench . -benchmem ./...
	cd go/bench && go test -run XXX -bench . -benchmem ./...

test: fmt-check clippy header-check rust-test c-test go-test py-test py-asan
	@echo "make test: all checks passed"

# Go for the binding's tests and the Go signer: installed with apt-get when missing.
define ensure-go
@command -v go >/dev/null 2>&1 || { echo "go not found: installing golang-go with apt-get" >&2; \
	sudo_cmd=""; [ "$$(id -u)" -eq 0 ] || sudo_cmd="sudo"; $$sudo_cmd apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo_cmd apt-get install -y -qq golang-go >/dev/null; }
endef

## signers: the C and Go request signers of examples/django_service/clients, built into target/clients/.
signers: ffi
	$(ensure-go)
	examples/django_service/clients/c/build.sh $(CURDIR) $(CURDIR)/target/clients/sign-c >/dev/null
	cd examples/django_service/clients/go && go build -o $(CURDIR)/target/clients/sign-go .

# The Django demo's steps, shared by demo and django-demo: the fresh wheel into .venv, then the driver.
define run-django-demo
$(VPY) -m pip install -q --force-reinstall --no-deps dist/countermark-*.whl
$(VPY) examples/django_service/demo.py
endef

## django-demo: the example Django service (examples/django_service) on a free loopback port, sent signed
## requests by the Python client, the CLI, C and Go in every scheme, then tampered, replayed, expired and
## misaddressed ones; fails when any answer differs from the expected one.
django-demo: build signers
	$(run-django-demo)

## demo: a walk-through of the CLI (keygen, tokens, tampering, signed URLs, expiry), then the Django demo.
demo: build signers
	bash examples/cli-demo.sh target/release/countermark
	$(run-django-demo)

## py-asan: the Python suite against the extension built with AddressSanitizer (nightly -Zsanitizer=address,
## loaded under the C compiler's libasan), LeakSanitizer on. Suppressed: CPython's own allocations and pyo3's type
## objects, which live until exit (tests/lsan-python.supp). Installs the nightly toolchain when it is missing.
py-asan: venv check-shared
	@rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
	RUSTFLAGS="-Zsanitizer=address" $(CARGO) +nightly build -q -p countermark-python \
		--target x86_64-unknown-linux-gnu --target-dir target/asan
	rm -rf target/asan-pkg && mkdir -p target/asan-pkg && cp -r python/python/countermark target/asan-pkg/
	rm -f target/asan-pkg/countermark/*.so
	cp target/asan/x86_64-unknown-linux-gnu/debug/lib_countermark.so target/asan-pkg/countermark/_countermark.abi3.so
	cd python/tests && export LD_PRELOAD=$$(gcc -print-file-name=libasan.so) PYTHONPATH=$(CURDIR)/target/asan-pkg \
		ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan-python.supp \
		COUNTERMARK_VECTORS="$(SHARED)/vectors" && \
		$(VPY) -c "import countermark, ctypes; assert 'asan-pkg' in countermark.__file__; \
			assert hasattr(ctypes.CDLL(None), '__asan_init'); print('py-asan: ASan-built', countermark.__file__)" && \
		$(VPY) -m pytest -q -p no:cacheprovider .

## bench: every benchmark (not part of make test): criterion (Rust, with ratios to the floors of the same run),
## the Python comparison with the reference libraries (python/bench, its own venv in target/bench-venv), the
## Django request overhead beside django-hmac-authentication (python/bench/bench_django.py), and the Go benchmarks
## beside crypto/hmac, and RFC 9421 verification from 1, 4 and 16 threads with the nonce store in memory and in a
## throw-away redis-server (core/benches/redis_fleet.rs). Figures and how to read them: BENCHMARKS.md.
bench: toolchain check-shared ffi
	COUNTERMARK_VECTORS="$(SHARED)/vectors" $(CARGO) bench -p countermark --bench verify
	tests/with-redis.sh $(CARGO) bench -p countermark --features redis --bench redis_fleet -- --json $(CURDIR)/target/bench-redis.json
	python3 tests/bench_report.py target/criterion --json target/bench-rust.json
	test -x target/bench-venv/bin/python || $(PYTHON) -m venv target/bench-venv
	target/bench-venv/bin/pip install -q -r python/bench/requirements.txt
	cd python && $(CURDIR)/target/bench-venv/bin/maturin build --release --locked --quiet --out ../target/bench-wheel
	target/bench-venv/bin/pip install -q --force-reinstall --no-deps target/bench-wheel/countermark-*.whl
	COUNTERMARK_VECTORS="$(SHARED)/vectors" target/bench-venv/bin/python python/bench/bench.py --json target/bench-python.json
	target/bench-venv/bin/python -W ignore python/bench/bench_django.py --json target/bench-django.json
	target/bench-venv/bin/python -W ignore python/bench/bench_django_keyids.py --json target/bench-django-keyids.json
	cd go && go test -run XXX -bench . -benchmem ./...

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
