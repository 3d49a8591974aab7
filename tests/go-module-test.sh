#!/usr/bin/env bash
# make go-module-test: a Go user's view of the module tree `make go-module` wrote. A consumer module in a temporary
# directory outside the repository (tests/go-consumer/main.go) builds and runs with no cargo or rustc on PATH:
#   1. through a `replace` directive pointing at the tree, with GOPROXY=off;
#   2. through `go get MODULE@VERSION` from a file:// module proxy holding the tree as a module zip (into an empty
#      module cache), then built and run with GOPROXY=off;
#   3. from `go mod vendor` (the header and the library must be in vendor/), with the module cache deleted.
# Usage: go-module-test.sh MODULE_TREE MODULE_PATH VERSION
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 MODULE_TREE MODULE_PATH VERSION" >&2; exit 2; }
tree=$(cd "$1" && pwd) module=$2 version=$3
here=$(cd "$(dirname "$0")" && pwd)
platform=$(go env GOOS)-$(go env GOARCH | sed 's/amd64/x86_64/; s/arm64/aarch64/')
[ -f "$tree/build/$platform/libcountermark.a" ] || { echo "$tree has no library for $platform" >&2; exit 1; }
[ -z "$(find "$tree" -type l)" ] || { echo "$tree holds links" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/countermark-go-module.XXXXXX")
cleanup() { chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# PATH with no cargo or rustc (tests/path-without-rust.sh keeps everything else those directories hold).
path=$("$here/path-without-rust.sh" "$tmp")
export PATH="$path" GOTOOLCHAIN=local GOFLAGS= GONOSUMDB= GOPRIVATE= CGO_ENABLED=1 GOMODCACHE="$tmp/modcache"
if command -v cargo >/dev/null 2>&1 || command -v rustc >/dev/null 2>&1; then
    echo "cargo or rustc is still on PATH" >&2; exit 1
fi

consumer() {  # consumer DIR: a fresh consumer module requiring the countermark module
    mkdir -p "$1"
    cp "$here/go-consumer/main.go" "$1/main.go"
    printf 'module example.com/consumer\n\ngo 1.22\n\nrequire %s %s\n' "$module" "$version" > "$1/go.mod"
}
run() {  # run DIR LABEL: the consumer's binary must print the expected line
    local out
    out=$("$1/consumer")
    echo "  $2: $out"
    case "$out" in "countermark ${version#v}: token fields [alice 42], tampered token refused;"*) ;; *)
        echo "unexpected output" >&2; exit 1 ;; esac
}

echo "go-module-test: module $module $version ($tree), platform $platform, no cargo on PATH"
# 1. replace directive, GOPROXY=off.
consumer "$tmp/replace"
printf '\nreplace %s => %s\n' "$module" "$tree" >> "$tmp/replace/go.mod"
(cd "$tmp/replace" && GOPROXY=off go build -o consumer .)
run "$tmp/replace" "replace directive, GOPROXY=off"

# 2. go get from a file:// proxy (the layout of GOPROXY: <module>/@v/list, .info, .mod, .zip).
python3 "$here/go-module-proxy.py" "$tree" "$module" "$version" "$tmp/proxy"
proxy="$tmp/proxy/$module/@v"
echo "  module zip: $(du -k "$proxy/$version.zip" | cut -f1) KiB"
consumer "$tmp/get"
(cd "$tmp/get" && GOPROXY="file://$tmp/proxy" GOSUMDB=off go get "$module@$version")
(cd "$tmp/get" && GOPROXY=off go build -o consumer .)
run "$tmp/get" "go get from a file:// proxy, built with GOPROXY=off"

# 3. go mod vendor, then a build from vendor/ alone.
(cd "$tmp/get" && GOPROXY=off go mod vendor)
for f in build/include/countermark.h "build/$platform/libcountermark.a"; do
    [ -f "$tmp/get/vendor/$module/$f" ] || { echo "go mod vendor dropped $f" >&2; exit 1; }
done
chmod -R u+w "$tmp/modcache" && rm -rf "$tmp/modcache"
rm "$tmp/get/consumer"
(cd "$tmp/get" && GOPROXY=off GOFLAGS=-mod=vendor go build -o consumer .)
run "$tmp/get" "go mod vendor, built from vendor/ with no module cache"
echo "go-module-test: 3 builds passed (replace, go get from a proxy, vendor)"
