# countermark — the README's two commands are `make demo` and `make test`.
# Each installs what it needs: a Rust toolchain through rustup when cargo is missing, the rustfmt and clippy
# components, redis-server (apt-get) for the replay-store tests, and postgresql (apt-get) for the Django suite on PostgreSQL.

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo
SHARED ?= $(CURDIR)/../shared
PYTHON ?= python3
VENV := $(CURDIR)/.venv
VPY := $(VENV)/bin/python

.PHONY: dist-test install install-test go-module go-module-test go-module-cross-test readme-install-test dist dist-check crate-check bench fuzz py-asan all demo django-demo signers test build toolchain check-shared fmt-check clippy rust-test clean ffi header header-check c-test go-test go-bench venv wheel py-test mutants django-pg-test bench-venv bench-load js js-test js-bench

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

## dist-test: what CI runs beside `make test` (.ci/run): `make dist-check` below (a few minutes: two LTO wheels and
## the sdist compiled from source in a fresh venv), kept out of `make test` so that it stays well under 20 minutes.
dist-test: dist-check

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

## django-pg-test: the Django suite (python/tests-django) on PostgreSQL: tests/with-postgres.sh makes a throw-away
## cluster on a free loopback port (Debian's `postgresql`, installed with apt-get when missing; as root the server
## runs as the `postgres` user) and removes it afterwards; Redis is the cache, as on SQLite. test_postgres.py's
## row-lock and bookkeeping tests run only here (skipped, with the reason, on SQLite).
django-pg-test: wheel check-shared
	$(VPY) -m pip install -q --force-reinstall --no-deps dist/countermark-*.whl
	@echo "countermark.django suite (python/tests-django): PostgreSQL, and a throw-away redis-server as the cache"
	cd python/tests-django && $(CURDIR)/tests/with-postgres.sh $(CURDIR)/tests/with-redis.sh $(VPY) -m pytest -q .

fmt-check: toolchain
	$(CARGO) fmt --all -- --check

clippy: toolchain
	$(CARGO) clippy --workspace --all-targets --all-features --locked -- -D warnings

## rust-test: every Rust test, with the `redis` feature against a throw-away redis-server (installed with
## apt-get when missing, started on a free loopback port, stopped afterwards).
rust-test: toolchain check-shared
	COUNTERMARK_VECTORS="$(SHARED)/vectors" tests/with-redis.sh $(CARGO) test --workspace --all-features --locked

## ffi: the C library, target/release/libcountermark.{so,a} (the SONAME, libcountermark.so.MAJOR.MINOR, is set in
## ffi/build.rs), target/release/native-static-libs.txt (what a program linking the archive needs beside it, as
## rustc prints it), and the links the in-repository Go package builds against (go/build/include/countermark.h and
## go/build/<platform>/libcountermark.a: the directories of the `go get`-able module, see go-module).
# The Cargo profile of the C library (and of the Go module's libraries): `release` for the tests; `dist` (LTO, one
# codegen unit, stripped shared library: Cargo.toml) for what a release installs or ships, e.g. `make install
# FFI_PROFILE=dist`. Its output directory is target/FFI_PROFILE.
FFI_PROFILE ?= release
FFI_OUT = target/$(FFI_PROFILE)
VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' $(CURDIR)/Cargo.toml | head -1)
ABI_VERSION = $(shell sed -n 's/^version = "\([0-9]*\.[0-9]*\).*/\1/p' $(CURDIR)/Cargo.toml | head -1)
# The Go module's directory for the platform this builds on (wasmtime-go's names: linux-x86_64, linux-aarch64).
HOST_PLATFORM := $(shell uname -s | tr A-Z a-z)-$(shell uname -m | sed 's/arm64/aarch64/')
# rustc prints native-static-libs only when it links the archive: `touch` makes Cargo recompile the ffi crate alone
# (not `cargo clean -p countermark-ffi`, which also deletes the CLI's binary: both targets are named countermark).
ffi: toolchain
	@if [ ! -s $(FFI_OUT)/native-static-libs.txt ]; then \
		echo "asking rustc which native libraries the static library needs (recompiles the ffi crate once)"; \
		mkdir -p $(FFI_OUT) && touch ffi/src/lib.rs; \
		$(CARGO) rustc -q --profile $(FFI_PROFILE) -p countermark-ffi --lib --locked -- --print native-static-libs 2>&1 \
			| sed -n 's/^note: native-static-libs: //p' > $(FFI_OUT)/native-static-libs.txt.new; \
		test -s $(FFI_OUT)/native-static-libs.txt.new || { echo "rustc printed no native-static-libs" >&2; exit 1; }; \
		mv $(FFI_OUT)/native-static-libs.txt.new $(FFI_OUT)/native-static-libs.txt; \
	fi
	$(CARGO) build --profile $(FFI_PROFILE) -p countermark-ffi --locked
	mkdir -p go/build/$(HOST_PLATFORM)
	ln -sfn ../../../include/countermark.h go/build/include/countermark.h
	ln -sfn ../../../$(FFI_OUT)/libcountermark.a go/build/$(HOST_PLATFORM)/libcountermark.a

## install: the C library under PREFIX (default /usr/local; DESTDIR is prepended for staging): LIBDIR (PREFIX/lib)
## gets libcountermark.so.VERSION with the links libcountermark.so.MAJOR.MINOR (its SONAME) and libcountermark.so,
## and libcountermark.a; INCLUDEDIR (PREFIX/include) gets countermark.h; PKGCONFIGDIR (LIBDIR/pkgconfig) gets
## countermark.pc (shared: `pkg-config --cflags --libs countermark`) and countermark-static.pc (the archive and the
## native libraries rustc names: `pkg-config --cflags --libs --static countermark-static`).
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR ?=
# The .pc files name libdir and includedir relative to ${prefix} when they are under it (pkg-config --define-prefix).
# The archive: with another profile than release, built as a staticlib alone (see go_built_platforms below).
install_archive = $(if $(filter release,$(FFI_PROFILE)),$(FFI_OUT)/libcountermark.a,target/$(call go_rust_target,$(HOST_PLATFORM))/$(FFI_PROFILE)/libcountermark.a)
pc_dir = $(patsubst $(abspath $(PREFIX))/%,$${prefix}/%,$(abspath $(1)))
install: ffi
	@case "$(PREFIX)" in /*) ;; *) echo "PREFIX must be an absolute path (pkg-config files carry it): $(PREFIX)" >&2; exit 2;; esac
	install -d "$(DESTDIR)$(LIBDIR)" "$(DESTDIR)$(INCLUDEDIR)" "$(DESTDIR)$(PKGCONFIGDIR)"
	install -m 755 $(FFI_OUT)/libcountermark.so "$(DESTDIR)$(LIBDIR)/libcountermark.so.$(VERSION)"
	ln -sfn libcountermark.so.$(VERSION) "$(DESTDIR)$(LIBDIR)/libcountermark.so.$(ABI_VERSION)"
	ln -sfn libcountermark.so.$(ABI_VERSION) "$(DESTDIR)$(LIBDIR)/libcountermark.so"
	$(if $(filter release,$(FFI_PROFILE)),,$(CARGO) rustc --profile $(FFI_PROFILE) -p countermark-ffi --lib --locked \
		--target $(call go_rust_target,$(HOST_PLATFORM)) --crate-type staticlib)
	install -m 644 $(install_archive) "$(DESTDIR)$(LIBDIR)/libcountermark.a"
	install -m 644 include/countermark.h "$(DESTDIR)$(INCLUDEDIR)/countermark.h"
	for pc in countermark countermark-static; do \
		sed -e 's|@PREFIX@|$(abspath $(PREFIX))|' -e 's|@LIBDIR@|$(call pc_dir,$(LIBDIR))|' \
			-e 's|@INCLUDEDIR@|$(call pc_dir,$(INCLUDEDIR))|' -e 's|@VERSION@|$(VERSION)|' \
			-e "s|@NATIVE_STATIC_LIBS@|$$(cat $(FFI_OUT)/native-static-libs.txt)|" \
			ffi/$$pc.pc.in > "$(DESTDIR)$(PKGCONFIGDIR)/$$pc.pc" || exit 1; \
	done

## install-test: `make install` into a temporary prefix, then examples/c/hello.c built as its comment says against
## that prefix through pkg-config, shared (found through the rpath) and static (libcountermark must not be a
## dynamic dependency), and both run (tests/install-test.sh).
install-test: ffi
	tests/install-test.sh

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

## go-module: the Go module a user gets with `go get` (no Rust toolchain needed), written into GO_MODULE_DIR
## (default target/go-module) by go/module/write.sh: the package's Go files, build/include/countermark.h and
## build/<platform>/libcountermark.a for each of GO_MODULE_PLATFORMS (linux-x86_64 and linux-aarch64), as
## wasmtime-go ships its libraries. The host's library is the release build of `make ffi`; another platform's is
## cross-built as a staticlib (cargo rustc --crate-type staticlib, so no cross linker is needed) with Zig as the C
## compiler of ring (go/module/zig-cc.sh; `ziglang` from python/requirements-dist.txt in .venv), for glibc 2.17 as
## the wheels. GO_MODULE_PATH renames the module (a separate module repository). README.md "Go" says how a release
## tag carries the tree.
GO_MODULE_DIR ?= target/go-module
GO_MODULE_PATH ?= $(shell sed -n 's/^module //p' go/go.mod)
GO_MODULE_PLATFORMS ?= linux-x86_64 linux-aarch64
go_rust_target = $(patsubst linux-%,%-unknown-linux-gnu,$(1))
go_zig_target = $(patsubst linux-%,%-linux-gnu.2.17,$(1))
define go-cross-build
@echo "building libcountermark.a as a staticlib for $(1): $(call go_rust_target,$(1)), Zig as C compiler for $(call go_zig_target,$(1))"
rustup target list --installed | grep -qx $(call go_rust_target,$(1)) || rustup target add $(call go_rust_target,$(1))
env ZIG_TARGET=$(call go_zig_target,$(1)) ZIG_PYTHON=$(VPY) CC_$(subst -,_,$(call go_rust_target,$(1)))=$(CURDIR)/go/module/zig-cc.sh \
	AR_$(subst -,_,$(call go_rust_target,$(1)))=ar $(CARGO) rustc --profile $(FFI_PROFILE) -p countermark-ffi --lib --locked \
	--target $(call go_rust_target,$(1)) --crate-type staticlib

endef
# With the release profile the host's library is the one `make ffi` built (the tests); with another (a release), every
# platform's archive is built on its own as a staticlib: the ffi crate's other crate types (rlib, cdylib) would
# otherwise keep LTO from reaching the standard library and embed LLVM bitcode (dist on x86_64: 41 MB as built by
# `make ffi`, 12.5 MB on its own for aarch64).
go_built_platforms = $(if $(filter release,$(FFI_PROFILE)),$(filter-out $(HOST_PLATFORM),$(GO_MODULE_PLATFORMS)),$(GO_MODULE_PLATFORMS))
go_module_lib = $(if $(filter $(go_built_platforms),$(1)),target/$(call go_rust_target,$(1))/$(FFI_PROFILE)/libcountermark.a,$(FFI_OUT)/libcountermark.a)
go-module: ffi
	@for p in $(GO_MODULE_PLATFORMS); do [ -f go/build/$$p/lib.go ] || { echo "unknown platform $$p (go/build has no directory for it)" >&2; exit 2; }; done
	$(if $(go_built_platforms),$(MAKE) --no-print-directory $(VENV)/.installed-dist)
	$(foreach p,$(go_built_platforms),$(call go-cross-build,$(p)))
	go/module/write.sh "$(GO_MODULE_DIR)" "$(GO_MODULE_PATH)" \
		$(foreach p,$(GO_MODULE_PLATFORMS),$(p)=$(call go_module_lib,$(p)))

## go-module-test: `make go-module` for the host platform only (the cross-build takes minutes: run `make go-module`
## for both), then tests/go-module-test.sh: a consumer module in a temporary directory outside the repository gets
## the tree through a `replace` directive and through `go get` from a file:// module proxy, with no cargo on PATH,
## builds and runs with GOPROXY=off, then again from `go mod vendor` with the module cache deleted.
go-module-test: check-shared
	$(ensure-go)
	$(MAKE) --no-print-directory go-module GO_MODULE_DIR=$(CURDIR)/target/go-module-test GO_MODULE_PLATFORMS=$(HOST_PLATFORM)
	tests/go-module-test.sh $(CURDIR)/target/go-module-test "$(GO_MODULE_PATH)" v$(VERSION)

## go-module-cross-test: `make go-module` for every platform (the aarch64 cross-build: about 3.5 minutes on 2 cores
## the first time), tests/go-module-test.sh on the host's library, then tests/go-module-cross-test.sh: a consumer
## cross-built for linux/arm64 against the tree, run under qemu-user. Not part of `make test`; a release job runs it.
go-module-cross-test: check-shared
	$(ensure-go)
	$(MAKE) --no-print-directory go-module GO_MODULE_DIR=$(CURDIR)/target/go-module
	tests/go-module-test.sh $(CURDIR)/target/go-module "$(GO_MODULE_PATH)" v$(VERSION)
	tests/go-module-cross-test.sh $(CURDIR)/target/go-module "$(GO_MODULE_PATH)" v$(VERSION) $(VPY)

## readme-install-test: the README's install blocks (sections Install, C and Go) run as a user types them, against
## what this clone builds (tests/readme_install_test.py: pip from dist/ and a wheelhouse of the extras' pins with
## no index, `make install` into a scratch HOME, `go get` from a file:// proxy serving the go-module-test tree).
readme-install-test: wheel install-test go-module-test
	$(PYTHON) tests/readme_install_test.py $(CURDIR)/target/go-module-test "$(GO_MODULE_PATH)" v$(VERSION)

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

## ---------------------------------------------------------------------------------------------- JavaScript
# The npm package (js/): the core compiled to WebAssembly (wasm32-unknown-unknown, the `wasm` Cargo profile) and
# bound by wasm-bindgen. wasm-bindgen-cli must be the version of the wasm-bindgen crate in Cargo.lock; it is
# installed once per machine like cbindgen (a few minutes: it compiles from source). `--locked` first; a registry
# mirror that lacks one of its pinned dependencies gets the newest compatible ones instead.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"/\1/p}' $(CURDIR)/Cargo.lock)
WASM_TOOLS ?= $(HOME)/.cache/countermark/tools-wasm-bindgen-$(WASM_BINDGEN_VERSION)
WASM_BINDGEN := $(WASM_TOOLS)/bin/wasm-bindgen
JS_WASM := target/wasm32-unknown-unknown/wasm/countermark_js.wasm
WASM_BINDGEN_FLAGS := --out-name countermark --remove-name-section --remove-producers-section

$(WASM_BINDGEN):
	@echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) into $(WASM_TOOLS)"
	$(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --locked --root $(WASM_TOOLS) --quiet || \
		$(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --root $(WASM_TOOLS) --quiet

# clang (ring's C and assembly for wasm32), node and npm (the package's build and tests), chromium (the browser
# test): installed with apt-get when missing.
define ensure-apt
@command -v $(1) >/dev/null 2>&1 || { echo "$(1) not found: installing $(2) with apt-get" >&2; \
	sudo_cmd=""; [ "$$(id -u)" -eq 0 ] || sudo_cmd="sudo"; $$sudo_cmd apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo_cmd apt-get install -y -qq $(2) >/dev/null; }
endef

## js: the npm package in js/dist (ES module and CommonJS entry points, one .wasm, TypeScript declarations).
js: toolchain $(WASM_BINDGEN)
	$(call ensure-apt,clang,clang)
	$(call ensure-apt,node,nodejs npm)
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	$(CARGO) build --locked -q -p countermark-js --target wasm32-unknown-unknown --profile wasm
	rm -rf js/dist
	$(WASM_BINDGEN) --target web $(WASM_BINDGEN_FLAGS) --out-dir js/dist/web $(JS_WASM)
	$(WASM_BINDGEN) --target nodejs $(WASM_BINDGEN_FLAGS) --out-dir js/dist/node $(JS_WASM)
	node js/scripts/build.mjs

## js-test: `node --test` over js/test: every vector of ../shared/vectors, the API and error classes, the README's
## JavaScript examples, the `npm pack` tarball installed into an empty directory (import and require), requests
## signed by the package sent to the example Django service and verified by the Python API, and the browser test
## (headless chromium, playwright-core from js/package-lock.json), and index.d.ts type-checked by tsc --strict.
## Installs the wheel into .venv, and axios (the optional peer dependency the axios interceptor is tested with) and
## TypeScript 5 into target/js-axios and target/js-tsc, never into js/.
js-test: js check-shared wheel
	$(call ensure-apt,chromium,chromium)
	$(VPY) -m pip install -q --force-reinstall --no-deps dist/countermark-*.whl
	cd js && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error; }
	mkdir -p target/js-axios && cd target/js-axios && { [ -d node_modules/axios ] || \
		npm install --no-audit --no-fund --loglevel=error --no-save axios@1 >/dev/null; }
	mkdir -p target/js-tsc && cd target/js-tsc && { [ -d node_modules/typescript ] || \
		npm install --no-audit --no-fund --loglevel=error --no-save typescript@5 >/dev/null; }
	cd js && COUNTERMARK_VECTORS="$(SHARED)/vectors" COUNTERMARK_PYTHON=$(VPY) COUNTERMARK_CHROMIUM=$$(command -v chromium) \
		COUNTERMARK_AXIOS=$(CURDIR)/target/js-axios COUNTERMARK_TSC=$(CURDIR)/target/js-tsc/node_modules/typescript/bin/tsc \
		node --test test/*.test.mjs

## js-bench: the JavaScript benchmarks (js/bench: size of the package, HMAC-header signing beside node:crypto,
## RFC 9421 verification beside the http-message-signatures npm package, Ed25519 beside node:crypto; the npm
## comparison packages are installed into target/js-bench, never into js/).
js-bench: js check-shared
	mkdir -p target/js-bench
	cd target/js-bench && { [ -d node_modules/http-message-signatures ] || \
		npm install --no-audit --no-fund --loglevel=error --no-save http-message-signatures@1 >/dev/null; }
	COUNTERMARK_VECTORS="$(SHARED)/vectors" NODE_PATH=$(CURDIR)/target/js-bench/node_modules \
		node js/bench/bench.mjs --json target/bench-js.json

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

test: fmt-check clippy header-check rust-test c-test go-test install-test go-module-test py-test django-pg-test readme-install-test py-asan js-test
	@echo "make test: all checks passed"

# Go for the binding's tests and the Go signer: installed with apt-get when missing.
define ensure-go
@command -v go >/dev/null 2>&1 || { echo "go not found: installing golang-go with apt-get" >&2; \
	sudo_cmd=""; [ "$$(id -u)" -eq 0 ] || sudo_cmd="sudo"; $$sudo_cmd apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo_cmd apt-get install -y -qq golang-go >/dev/null; }
endef

## signers: the C and Go request signers of examples/django_service/clients, built into target/clients/, and the
## npm package the JavaScript signer (clients/js/sign.mjs) imports.
signers: ffi js
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
## Django request overhead beside django-hmac-authentication (python/bench/bench_django.py), the Go benchmarks
## beside crypto/hmac, RFC 9421 verification from 1, 4 and 16 threads with the nonce store in memory and in a
## throw-away redis-server (core/benches/redis_fleet.rs), the JavaScript package's (js-bench), then the load test
## (bench-load). Figures and how to read them: BENCHMARKS.md.
bench: toolchain check-shared ffi bench-venv
	COUNTERMARK_VECTORS="$(SHARED)/vectors" $(CARGO) bench -p countermark --bench verify
	tests/with-redis.sh $(CARGO) bench -p countermark --features redis --bench redis_fleet -- --json $(CURDIR)/target/bench-redis.json
	python3 tests/bench_report.py target/criterion --json target/bench-rust.json
	COUNTERMARK_VECTORS="$(SHARED)/vectors" target/bench-venv/bin/python python/bench/bench.py --json target/bench-python.json
	target/bench-venv/bin/python -W ignore python/bench/bench_django.py --json target/bench-django.json
	target/bench-venv/bin/python -W ignore python/bench/bench_django_keyids.py --json target/bench-django-keyids.json
	target/bench-venv/bin/python -W ignore python/bench/bench_django_keyids.py --cached --json target/bench-django-keyids-cached.json
	cd go && go test -run XXX -bench . -benchmem ./...
	$(MAKE) --no-print-directory js-bench
	$(MAKE) bench-load

## bench-venv: target/bench-venv with the reference libraries, gunicorn, psycopg and redis
## (python/bench/requirements.txt) and a fresh release build of the countermark wheel.
bench-venv: toolchain
	test -x target/bench-venv/bin/python || $(PYTHON) -m venv target/bench-venv
	target/bench-venv/bin/pip install -q -r python/bench/requirements.txt
	cd python && $(CURDIR)/target/bench-venv/bin/maturin build --release --locked --quiet --out ../target/bench-wheel
	target/bench-venv/bin/pip install -q --force-reinstall --no-deps target/bench-wheel/countermark-*.whl

## bench-load: the example service (examples/django_service, settings_load.py) under gunicorn (2 workers), on a
## throw-away PostgreSQL and Redis (tests/with-postgres.sh, tests/with-redis.sh), loaded from loopback by
## python/bench/bench_load.py (asyncio; a bounded number of requests, replays mixed in) for countermark and for
## django-hmac-authentication on the same view and key: requests/s, p50, p99; fails on any 5xx or on a signed
## request countermark accepted other than exactly once. Not part of `make test`.
bench-load: bench-venv
	PYTHONWARNINGS=ignore tests/with-postgres.sh tests/with-redis.sh target/bench-venv/bin/python \
		python/bench/bench_load.py --json target/bench-load.json

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
