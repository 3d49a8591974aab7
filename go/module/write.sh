#!/usr/bin/env bash
# Writes the Go module a user gets with `go get` (`make go-module` runs this): the package's Go files without its
# tests, the header and one prebuilt static library per platform under build/ (wasmtime-go's layout), the files
# that keep build/ under `go mod vendor`, the licences and go/module/README.md as the module's README. Every file
# is a copy: the tree has no links and no path outside itself, so it works as a module zip, from a module cache and
# from vendor/.
#
# Usage: write.sh OUT_DIR MODULE_PATH PLATFORM=LIBRARY...   (PLATFORM: a directory of go/build, e.g. linux-x86_64)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
repo=$(cd "$src/.." && pwd)
[ $# -ge 3 ] || { echo "usage: $0 OUT_DIR MODULE_PATH PLATFORM=LIBRARY..." >&2; exit 2; }
out=$1 module=$2
shift 2
repo_module=$(sed -n 's/^module //p' "$src/go.mod")

rm -rf "$out"
mkdir -p "$out/build/include"
for f in "$src"/*.go; do
    case "$f" in *_test.go) continue ;; esac
    cp "$f" "$out/"
done
cp "$src/go.mod" "$out/go.mod"
cp "$repo/include/countermark.h" "$src/build/include/include.go" "$out/build/include/"
# Every platform directory the #cgo lines and includebuild.go name is written (its package file at least), so that
# `go mod vendor` finds every package includebuild.go imports; the libraries go where they were built.
for d in "$src"/build/*/; do
    name=$(basename "$d")
    [ "$name" = include ] && continue
    mkdir -p "$out/build/$name"
    cp "$d/lib.go" "$out/build/$name/"
done
for spec in "$@"; do
    platform=${spec%%=*} lib=${spec#*=}
    [ -f "$src/build/$platform/lib.go" ] || { echo "no platform $platform in go/build (cgo.go has no #cgo line for it)" >&2; exit 2; }
    [ -f "$lib" ] || { echo "missing $lib (the static library for $platform)" >&2; exit 2; }
    cp -L "$lib" "$out/build/$platform/libcountermark.a"
    chmod 644 "$out/build/$platform/libcountermark.a"
done
if [ "$module" != "$repo_module" ]; then
    sed -i "s#$repo_module#$module#g" "$out/go.mod" "$out/includebuild.go"
fi
cp "$here/README.md" "$out/README.md"
cp "$repo/LICENSE-MIT" "$repo/LICENSE-APACHE" "$out/"
# What the tree holds, for the release commit's message and for anyone checking a download.
(cd "$out" && find build -name libcountermark.a -o -name countermark.h | sort | xargs sha256sum) > "$out/build/SHA256SUMS"

links=$(find "$out" -type l)
[ -z "$links" ] || { echo "the module tree must hold no links: $links" >&2; exit 1; }
echo "wrote the Go module $module into $out:"
(cd "$out" && find build -name 'libcountermark.a' -printf '  %p (%s bytes)\n')
