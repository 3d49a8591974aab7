#!/usr/bin/env bash
# make install-test: `make install` into a temporary prefix, the installed layout checked (the soname links, the
# SONAME, the .pc files carrying the prefix), then examples/c/hello.c built exactly as its "Build" comment says,
# shared and static, against that prefix through pkg-config, and both programs run.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
command -v pkg-config >/dev/null 2>&1 || {
    echo "installing pkg-config with apt-get" >&2
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq pkg-config >/dev/null
}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
abi=${version%.*}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/countermark-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
make --no-print-directory -s install PREFIX="$prefix" >/dev/null
fail() { echo "install-test: $*" >&2; exit 1; }

lib="$prefix/lib"
[ -f "$lib/libcountermark.so.$version" ] && [ ! -L "$lib/libcountermark.so.$version" ] || fail "no libcountermark.so.$version"
[ "$(readlink "$lib/libcountermark.so.$abi")" = "libcountermark.so.$version" ] || fail "libcountermark.so.$abi is not a link to .so.$version"
[ "$(readlink "$lib/libcountermark.so")" = "libcountermark.so.$abi" ] || fail "libcountermark.so is not a link to .so.$abi"
soname=$(readelf -d "$lib/libcountermark.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libcountermark.so.$abi" ] || fail "SONAME is '$soname', not libcountermark.so.$abi"
[ -f "$lib/libcountermark.a" ] || fail "no libcountermark.a"
cmp -s include/countermark.h "$prefix/include/countermark.h" || fail "the installed header differs from include/countermark.h"
export PKG_CONFIG_PATH="$lib/pkgconfig"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
[ "$(pkg-config --variable=prefix countermark)" = "$prefix" ] || fail "countermark.pc's prefix is not $prefix"
[ "$(pkg-config --modversion countermark)" = "$version" ] || fail "countermark.pc's version is not $version"
[ "$(pkg-config --modversion countermark-static)" = "$version" ] || fail "countermark-static.pc's version is not $version"
grep -q "$repo" "$lib"/pkgconfig/*.pc && fail "a .pc file points into the build tree"
echo "install-test: installed into $prefix: libcountermark.so.$version (SONAME $soname) with its links, libcountermark.a, countermark.h, countermark.pc and countermark-static.pc"

# The build commands of hello.c's comment, run as written in a directory holding a copy of hello.c.
mkdir -p "$tmp/hello" && cp examples/c/hello.c "$tmp/hello/"
shared_cmd=$(sed -n 's/^ \*   shared: //p' examples/c/hello.c)
static_cmd=$(sed -n 's/^ \*   static: //p' examples/c/hello.c)
[ -n "$shared_cmd" ] && [ -n "$static_cmd" ] || fail "hello.c's comment lost its 'shared:' or 'static:' build line"

(cd "$tmp/hello" && eval "$shared_cmd" && mv hello hello-shared)
needed=$(readelf -d "$tmp/hello/hello-shared" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
grep -qx "libcountermark.so.$abi" <<< "$needed" || fail "the shared build does not need libcountermark.so.$abi: $needed"
grep -q "libcountermark.so.$abi => $lib/libcountermark.so.$abi" <<< "$(ldd "$tmp/hello/hello-shared")" \
    || fail "the shared build does not find the installed library: $(ldd "$tmp/hello/hello-shared")"
out=$(env -u LD_LIBRARY_PATH "$tmp/hello/hello-shared") || fail "the shared build failed to run"
grep -q "verified, first field: user" <<< "$out" || fail "unexpected output of the shared build: $out"
echo "install-test: shared: $shared_cmd -> needs libcountermark.so.$abi (found through the rpath), runs"

(cd "$tmp/hello" && eval "$static_cmd" && mv hello hello-static)
needed=$(readelf -d "$tmp/hello/hello-static" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
grep -q countermark <<< "$needed" && fail "the static build needs a shared libcountermark: $needed"
grep -q " T countermark_version$" <<< "$(nm "$tmp/hello/hello-static")" || fail "the static build does not contain the library"
# Run it with the installed shared library out of the way.
mv "$lib" "$lib.moved"
out=$("$tmp/hello/hello-static") || fail "the static build failed to run"
mv "$lib.moved" "$lib"
grep -q "verified, first field: user" <<< "$out" || fail "unexpected output of the static build: $out"
echo "install-test: static: $static_cmd -> no libcountermark among its NEEDED ($(echo $needed)), runs"
echo "install-test: 2 programs built against the installed prefix and run"
