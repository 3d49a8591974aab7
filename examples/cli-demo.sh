#!/usr/bin/env bash
# A walk-through of the countermark CLI: the main job of `make demo`.
# Usage: examples/cli-demo.sh [path/to/countermark]
set -euo pipefail

cm=${1:-target/release/countermark}
[ -x "$cm" ] || { echo "countermark binary not found at $cm (run: cargo build --release)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }
expect_exit() { # expect_exit CODE command...
    local want=$1; shift
    set +e; "$@"; local got=$?; set -e
    if [ "$got" -ne "$want" ]; then echo "demo: expected exit $want, got $got from: $*" >&2; exit 1; fi
    echo "(exit $got, as expected)"
}

step "1. Generate a shared secret (32 random bytes, hex) into a file"
show "countermark keygen --format hex > secret"
"$cm" keygen --format hex > "$work/secret"
echo "secret file: $(wc -c < "$work/secret") bytes (the CLI uses the file's bytes exactly; secrets never go on argv)"

step "2. Create a handshake-format token carrying two fields"
show "countermark token create --secret-file secret user 42"
token=$("$cm" token create --secret-file "$work/secret" user 42)
echo "$token"

step "3. Verify it (at most 300 s old): prints the fields"
show "countermark token create ... | countermark token verify --secret-file secret --max-age 300 -"
"$cm" token create --secret-file "$work/secret" user 42 | "$cm" token verify --secret-file "$work/secret" --max-age 300 -
show "countermark token verify --json ..."
"$cm" token verify --secret-file "$work/secret" --max-age 300 --json "$token"

step "4. Tamper with it: change one field, then one signature character"
forged=${token/user:42/user:43}
show "countermark token verify ... user:43:..."
expect_exit 1 "$cm" token verify --secret-file "$work/secret" --max-age 300 "$forged"
last=${token: -1}; if [ "$last" = 0 ]; then repl=1; else repl=0; fi
forged="${token%?}$repl"
expect_exit 1 "$cm" token verify --secret-file "$work/secret" --max-age 300 "$forged"

step "5. The wrong secret is refused too"
"$cm" keygen --format hex > "$work/other"
expect_exit 1 "$cm" token verify --secret-file "$work/other" --max-age 300 "$token"

step "6. Sign a URL (ska format, HMAC-SHA256) for alice, valid 2 seconds, with signed extra data"
show "countermark url sign --secret-file secret --alg hmac-sha256 --user alice --lifetime 2 --extra scope=read https://files.example.com/report.pdf"
url=$("$cm" url sign --secret-file "$work/secret" --alg hmac-sha256 --user alice --lifetime 2 --extra scope=read https://files.example.com/report.pdf)
echo "$url"

step "7. Verify the signed URL: prints the signed user, expiry and extra data"
"$cm" url verify --secret-file "$work/secret" --alg hmac-sha256 "$url"

step "8. Change the signed extra data: refused"
expect_exit 1 "$cm" url verify --secret-file "$work/secret" --alg hmac-sha256 "${url/scope=read/scope=write}"

step "9. Wait for it to expire (3 s), then verify again: refused as expired"
sleep 3
expect_exit 1 "$cm" url verify --secret-file "$work/secret" --alg hmac-sha256 "$url"

printf '\n\033[1mdemo complete\033[0m\n'
