#!/usr/bin/env bash
# The Go binding's checks, as `make test` runs them: gofmt, go vet, the whole suite under the race detector
# (every vector through the C ABI, concurrent verification), then again with GOGC=1 and cgocheck on, so a Go
# pointer kept by C or a handle freed while in use shows up. Needs target/release/libcountermark.a and its link
# in go/build/ (make ffi).
set -euo pipefail
cd "$(dirname "$0")"
export COUNTERMARK_VECTORS="${COUNTERMARK_VECTORS:-$(cd ../.. && pwd)/shared/vectors}"

unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
    echo "gofmt: these files need formatting:" >&2
    echo "$unformatted" >&2
    exit 1
fi
go vet ./...

log=$(mktemp)
trap 'rm -f "$log"' EXIT
go test -race -count=1 -v ./... > "$log" 2>&1 || { grep -E -- '--- FAIL|FAIL|panic|race' "$log" | head -50 >&2; tail -20 "$log" >&2; exit 1; }
grep -E '^(ok|FAIL|PASS)' "$log"
for t in Handshake Ska Fost HMACHeader JWT RFC9421; do
    echo "vectors $t: $(grep -c -- "--- PASS: TestVectors$t/" "$log") cases passed"
done
echo "go test -race: $(grep -c -- '--- PASS' "$log") tests and subtests passed, $(grep -c -- '--- FAIL' "$log") failed"

GOGC=1 GODEBUG=cgocheck=1 go test -count=1 ./...

# The benchmark module (its own go.mod, so the binding's module has no third-party dependency): vet it and run its
# check that the pure-Go floor computes the same signature base as the binding.
(cd bench && go vet ./... && go test -count=1 ./...)
