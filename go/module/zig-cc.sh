#!/usr/bin/env bash
# The C compiler `make go-module` gives cc-rs when it cross-builds the static library for another platform (ring
# compiles C and assembly): Zig's clang (`python -m ziglang cc`, the `ziglang` package `make dist` installs into
# .venv) for ZIG_TARGET, e.g. aarch64-linux-gnu.2.17. cc-rs also passes clang's --target=<Rust triple>, which Zig
# does not accept; ZIG_TARGET names the target instead. ZIG_PYTHON is the Python that has ziglang.
set -euo pipefail
: "${ZIG_TARGET:?set ZIG_TARGET, e.g. aarch64-linux-gnu.2.17}"
args=()
for a in "$@"; do
    case "$a" in
        --target=*) ;;
        *) args+=("$a") ;;
    esac
done
exec "${ZIG_PYTHON:-python3}" -m ziglang cc -target "$ZIG_TARGET" "${args[@]}"
