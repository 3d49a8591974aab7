#!/usr/bin/env bash
# Builds the C tests against include/countermark.h and the static library, then runs each of them twice:
# under AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer on) and under valgrind. Any error or leak fails.
# Installs libjansson-dev (to read ../shared/vectors) and valgrind with apt-get when they are missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

need_pkgs=()
[ -f /usr/include/jansson.h ] || need_pkgs+=(libjansson-dev)
command -v valgrind >/dev/null 2>&1 || need_pkgs+=(valgrind)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    echo "installing ${need_pkgs[*]} with apt-get" >&2
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

cargo build -q -p countermark-ffi --locked
lib="$repo/target/debug/libcountermark.a"
[ -f "$lib" ] || { echo "missing $lib" >&2; exit 1; }
export COUNTERMARK_VECTORS="${COUNTERMARK_VECTORS:-$repo/../shared/vectors}"

out="$repo/target/c-tests"
mkdir -p "$out"
cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -g -I"$repo/include")
libs=("$lib" -ljansson -lm -ldl -pthread)
tests=("$here"/test_*.c)
passed=0; failed=0; checks=0

for src in "${tests[@]}"; do
    name=$(basename "$src" .c)
    gcc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
        "$src" "$here/util.c" "${libs[@]}" -o "$out/$name.asan"
    gcc "${cflags[@]}" -O1 "$src" "$here/util.c" "${libs[@]}" -o "$out/$name.plain"
    # Make sure the sanitizer runtime really is in the binary.
    nm "$out/$name.asan" | grep __asan_init >/dev/null || { echo "$name: ASan is not linked" >&2; exit 1; }

    if ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$out/$name.asan" | tee "$out/$name.log"; then
        checks=$((checks + $(awk '/ checks, /{n += $2} END {print n + 0}' "$out/$name.log")))
        echo "$name (asan+ubsan): ok"; passed=$((passed + 1))
    else
        echo "$name (asan+ubsan): FAILED" >&2; failed=$((failed + 1))
    fi
    if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect "$out/$name.plain"; then
        echo "$name (valgrind): ok"; passed=$((passed + 1))
    else
        echo "$name (valgrind): FAILED" >&2; failed=$((failed + 1))
    fi
done
echo "ctests: ${#tests[@]} programs, $checks checks each run; $passed runs passed, $failed failed (ASan+UBSan and valgrind)"
[ "$failed" -eq 0 ]
