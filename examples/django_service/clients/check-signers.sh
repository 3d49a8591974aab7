#!/usr/bin/env bash
# Builds the three request signers (the CLI's `countermark request sign`, clients/c/sign.c, clients/go) and checks
# that every one of them signs, in every scheme (hmac, fost, rfc9421, jwt), a POST with a JSON body and a GET with a
# query so that the library's verifiers accept the printed headers (clients/go/verify_test.go, TestVerifyHeaders,
# run right after each signature under the verifiers' default time windows). Prints `ok <prog> <scheme>` per pair;
# exits non-zero on the first failure.
#
# Usage: check-signers.sh [REPO_ROOT]   (default: the current directory)
set -euo pipefail
repo=$(cd "${1:-.}" && pwd)
[ -f "$repo/include/countermark.h" ] || { echo "check-signers.sh: $repo is not the countermark repository" >&2; exit 2; }
clients="$repo/examples/django_service/clients"
out="$repo/target/clients"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"

echo "building the CLI, libcountermark.a, the C and Go signers and the verifier"
cargo build -q --release -p countermark-cli --locked
make -s ffi >/dev/null
"$clients/c/build.sh" "$repo" "$out/sign-c" >/dev/null
(cd "$clients/go" && go build -o "$out/sign-go" . && go test -c -o "$out/verify-headers" .)

declare -A progs=(
    [cli]="$repo/target/release/countermark request sign"
    [c]="$out/sign-c"
    [go]="$out/sign-go"
)

# A fresh shared secret (base64 of 32 random bytes) and Ed25519 key for this run.
COUNTERMARK_SECRET=$("$repo/target/release/countermark" keygen --format base64)
export COUNTERMARK_SECRET
openssl genpkey -algorithm ed25519 -out "$work/key.pem" 2>/dev/null
printf '%s' '{"order": {"id": 42, "items": ["tea", "scones"]}, "note": "caf\u00e9 & co"}' > "$work/body.json"

key_id="demo-client"
user="alice"
failures=0

# sign_and_verify PROG SCHEME METHOD URL BODY_FILE CONTENT_TYPE
sign_and_verify() {
    local prog=$1 scheme=$2 method=$3 url=$4 body=$5 ctype=$6
    local args=("$scheme" --method "$method" --url "$url")
    if [ "$scheme" = jwt ]; then
        args+=(--user "$user" --private-key-file "$work/key.pem")
    else
        args+=(--key-id "$key_id")
    fi
    [ -z "$body" ] || args+=(--body-file "$body")
    [ -z "$ctype" ] || args+=(--content-type "$ctype")
    # shellcheck disable=SC2086 # progs[cli] is a command with its arguments
    if ! ${progs[$prog]} "${args[@]}" > "$work/headers" 2> "$work/stderr"; then
        echo "FAIL $prog $scheme $method $url: the signer failed:" >&2
        cat "$work/stderr" >&2
        return 1
    fi
    if [ -s "$work/stderr" ]; then
        echo "FAIL $prog $scheme $method $url: the signer wrote to stderr:" >&2
        cat "$work/stderr" >&2
        return 1
    fi
    if ! CHECK_SCHEME=$scheme CHECK_METHOD=$method CHECK_URL=$url CHECK_BODY_FILE=$body CHECK_CONTENT_TYPE=$ctype \
        CHECK_KEY_ID=$key_id CHECK_USER=$user CHECK_PEM="$work/key.pem" CHECK_HEADERS="$work/headers" \
        "$out/verify-headers" -test.run '^TestVerifyHeaders$' -test.count=1 > "$work/verify" 2>&1; then
        echo "FAIL $prog $scheme $method $url: the headers were refused:" >&2
        cat "$work/verify" >&2
        return 1
    fi
}

for prog in cli c go; do
    for scheme in hmac fost rfc9421 jwt; do
        if sign_and_verify "$prog" "$scheme" POST "https://api.example.com:8443/v1/orders/" "$work/body.json" \
                application/json &&
            sign_and_verify "$prog" "$scheme" GET "https://api.example.com/v1/orders/?page=2&q=tea%20cake" "" ""; then
            echo "ok $prog $scheme"
        else
            failures=$((failures + 1))
        fi
    done
done

# The interface's error contract, the same for the three: usage errors exit 2, signing errors 1, nothing on stdout.
for prog in cli c go; do
    # shellcheck disable=SC2086
    if ${progs[$prog]} hmac --method GET --url https://e.com/ > "$work/headers" 2>/dev/null; then code=0; else code=$?; fi
    printf 'plain text' > "$work/body.txt"
    # shellcheck disable=SC2086
    if ${progs[$prog]} hmac --key-id k --method POST --url https://e.com/ --body-file "$work/body.txt" \
        --content-type text/plain >> "$work/headers" 2>/dev/null; then code2=0; else code2=$?; fi
    # shellcheck disable=SC2086
    if env -u COUNTERMARK_SECRET ${progs[$prog]} fost --key-id k --method GET --url https://e.com/ >> "$work/headers" \
        2>/dev/null; then code3=0; else code3=$?; fi
    if [ "$code" = 2 ] && [ "$code2" = 1 ] && [ "$code3" = 2 ] && [ ! -s "$work/headers" ]; then
        echo "ok $prog exit-codes"
    else
        echo "FAIL $prog exit-codes: missing --key-id $code (want 2), text body for hmac $code2 (want 1)," \
            "no secret $code3 (want 2), stdout $(wc -c < "$work/headers") bytes (want 0)" >&2
        failures=$((failures + 1))
    fi
done

if [ "$failures" -ne 0 ]; then
    echo "check-signers.sh: $failures failed" >&2
    exit 1
fi
echo "check-signers.sh: all signers passed"
