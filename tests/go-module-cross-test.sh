#!/usr/bin/env bash
# make go-module-cross-test: the linux-aarch64 library of a module tree written by `make go-module`, used as a Go
# user on an arm64 machine would: the consumer of tests/go-consumer is cross-built for linux/arm64 against the tree
# (a `replace` directive, GOPROXY=off, no cargo or rustc on PATH) with Zig as the C compiler and linker (ziglang in
# .venv, for glibc 2.17), then run under qemu-user with Debian's arm64 glibc (qemu-user and libc6-arm64-cross are
# installed with apt-get when missing). On an arm64 machine, tests/go-module-test.sh runs the same natively.
# Usage: go-module-cross-test.sh MODULE_TREE MODULE_PATH VERSION ZIG_PYTHON
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 MODULE_TREE MODULE_PATH VERSION ZIG_PYTHON" >&2; exit 2; }
tree=$(cd "$1" && pwd) module=$2 version=$3 zig_python=$4
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$tree/build/linux-aarch64/libcountermark.a" ] || { echo "$tree has no linux-aarch64 library" >&2; exit 1; }
"$zig_python" -m ziglang version >/dev/null || { echo "$zig_python has no ziglang (make go-module installs it)" >&2; exit 1; }

need=()
command -v qemu-aarch64 >/dev/null 2>&1 || need+=(qemu-user)
[ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || need+=(libc6-arm64-cross)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]} with apt-get" >&2
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
qemu=$(command -v qemu-aarch64)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/countermark-go-cross.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/consumer"
path=$("$here/path-without-rust.sh" "$tmp")
cp "$here/go-consumer/main.go" "$tmp/consumer/"
printf 'module example.com/consumer\n\ngo 1.22\n\nrequire %s %s\n\nreplace %s => %s\n' \
    "$module" "$version" "$module" "$tree" > "$tmp/consumer/go.mod"
(cd "$tmp/consumer" && env PATH="$path" GOTOOLCHAIN=local GOFLAGS= GOPROXY=off CGO_ENABLED=1 GOOS=linux GOARCH=arm64 \
    CC="$zig_python -m ziglang cc -target aarch64-linux-gnu.2.17" go build -o consumer-arm64 .)
file_type=$(od -An -tx1 -j18 -N2 "$tmp/consumer/consumer-arm64" | tr -d ' ')
[ "$file_type" = "b700" ] || { echo "the consumer is not an aarch64 ELF (e_machine $file_type)" >&2; exit 1; }
out=$("$qemu" -L /usr/aarch64-linux-gnu "$tmp/consumer/consumer-arm64")
echo "  linux/arm64 under qemu: $out"
case "$out" in "countermark ${version#v}: token fields [alice 42], tampered token refused;"*) ;; *)
    echo "unexpected output" >&2; exit 1 ;; esac
echo "go-module-cross-test: the linux-aarch64 library links (Zig, glibc 2.17) and runs under qemu"
