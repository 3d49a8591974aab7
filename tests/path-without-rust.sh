#!/usr/bin/env bash
# Prints a PATH with no Rust toolchain on it: each directory of PATH that holds cargo, rustc, rustup or rustdoc is
# replaced by a directory under SCRATCH_DIR with links to everything else it holds (so /usr/bin keeps gcc and go
# when a distribution's cargo lives there too). Usage: PATH=$(path-without-rust.sh SCRATCH_DIR)
set -euo pipefail
scratch=$1
out="" n=0
IFS=: read -ra dirs <<< "$PATH"
for d in "${dirs[@]}"; do
    [ -d "$d" ] || continue
    if [ -e "$d/cargo" ] || [ -e "$d/rustc" ] || [ -e "$d/rustup" ] || [ -e "$d/rustdoc" ]; then
        n=$((n + 1))
        copy="$scratch/path-$n"
        mkdir -p "$copy"
        for f in "$d"/* "$d"/.[!.]*; do
            [ -e "$f" ] || continue
            case $(basename "$f") in cargo | cargo-* | rustc | rustdoc | rustup | rust-* | rls | clippy-driver) continue ;; esac
            ln -s "$f" "$copy/"
        done
        d=$copy
    fi
    out="${out:+$out:}$d"
done
echo "$out"
