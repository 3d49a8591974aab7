#!/usr/bin/env bash
# Builds the C request signer against the repository's header and static library.
# Usage: build.sh [REPO_ROOT] [OUTPUT]   (defaults: the repository this script is in, REPO_ROOT/target/clients/sign-c)
# Needs REPO_ROOT/target/release/libcountermark.a (`make ffi`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "${1:-$here/../../../..}" && pwd)
out=${2:-$repo/target/clients/sign-c}
lib="$repo/target/release/libcountermark.a"
[ -f "$lib" ] || { echo "build.sh: missing $lib: run 'make ffi' in $repo first" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
gcc -std=c11 -Wall -Wextra -Werror -I"$repo/include" "$here/sign.c" "$lib" -lm -ldl -pthread -o "$out"
echo "$out"
