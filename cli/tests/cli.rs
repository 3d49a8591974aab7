//! The `countermark` binary, run as a user runs it.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use countermark::{Algorithm, FixedClock, HmacKey, Secret, Tokens};

const BIN: &str = env!("CARGO_BIN_EXE_countermark");

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let mut r = [0u8; 8];
        countermark::RandomSource::fill(&mut countermark::OsRandom, &mut r).unwrap();
        let hex: String = r.iter().map(|b| format!("{b:02x}")).collect();
        let dir = std::env::temp_dir().join(format!("countermark-cli-{tag}-{hex}"));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    run_bytes(args, stdin.map(str::as_bytes))
}

fn run_bytes(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

#[test]
fn keygen_lengths_and_formats() {
    let hex = run(&["keygen"], None);
    assert_eq!(hex.status.code(), Some(0));
    let text = stdout(&hex);
    assert_eq!(
        text.len(),
        64,
        "32 bytes as hex, no newline when piped: {text:?}"
    );
    assert!(text.bytes().all(|b| b.is_ascii_hexdigit()));
    let b64 = run(&["keygen", "--bytes", "48", "--format", "base64"], None);
    assert_eq!(stdout(&b64).len(), 64);
    assert_ne!(stdout(&run(&["keygen"], None)), text);
    let short = run(&["keygen", "--bytes", "8"], None);
    assert_eq!(short.status.code(), Some(2));
    assert!(stderr(&short).contains("invalid_key"));
}

#[test]
fn token_create_then_verify_through_a_pipe() {
    let dir = TempDir::new("pipe");
    let secret = dir.file("s", SECRET);
    let secret = secret.to_str().unwrap();
    let created = run(
        &["token", "create", "--secret-file", secret, "user", "42"],
        None,
    );
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    let token = stdout(&created);
    let verified = run(
        &[
            "token",
            "verify",
            "--secret-file",
            secret,
            "--max-age",
            "300",
            "-",
        ],
        Some(&token),
    );
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    assert_eq!(stdout(&verified), "user\n42\n");
    let json = run(
        &[
            "token",
            "verify",
            "--secret-file",
            secret,
            "--json",
            token.trim(),
        ],
        None,
    );
    assert_eq!(stdout(&json), "[\"user\",\"42\"]\n");
}

#[test]
fn tampered_expired_and_wrong_key_tokens_exit_1_naming_the_failure() {
    let dir = TempDir::new("reject");
    let secret = dir.file("s", SECRET);
    let secret = secret.to_str().unwrap();
    let token = stdout(&run(
        &["token", "create", "--secret-file", secret, "user", "42"],
        None,
    ));
    let tampered = token.trim().replacen("user", "root", 1);
    let out = run(
        &["token", "verify", "--secret-file", secret, &tampered],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad_signature"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");

    // A token made an hour ago, with the same secret.
    let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new(SECRET).unwrap());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let old = Tokens::new(key)
        .with_clock(Arc::new(FixedClock::at_secs(now - 3600)))
        .create(&["user"])
        .unwrap();
    let out = run(
        &[
            "token",
            "verify",
            "--secret-file",
            secret,
            "--max-age",
            "300",
            &old,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    // Without --max-age the age is not checked.
    assert_eq!(
        run(&["token", "verify", "--secret-file", secret, &old], None)
            .status
            .code(),
        Some(0)
    );

    let other = dir.file("other", b"another secret of 32 bytes......");
    let out = run(
        &[
            "token",
            "verify",
            "--secret-file",
            other.to_str().unwrap(),
            token.trim(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let malformed = run(
        &["token", "verify", "--secret-file", secret, "not-a-token"],
        None,
    );
    assert_eq!(malformed.status.code(), Some(1));
    assert!(stderr(&malformed).contains("malformed"));
}

#[test]
fn secret_from_the_environment() {
    let created = Command::new(BIN)
        .args([
            "token",
            "create",
            "--secret-env",
            "CM_TEST_SECRET",
            "--algorithm",
            "hmac-blake2b",
            "a",
        ])
        .env("CM_TEST_SECRET", "an environment secret")
        .output()
        .unwrap();
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    let token = stdout(&created);
    assert_eq!(
        token.trim().rsplit(':').next().unwrap().len(),
        128,
        "BLAKE2b tags are 64 bytes"
    );
    let verified = Command::new(BIN)
        .args([
            "token",
            "verify",
            "--secret-env",
            "CM_TEST_SECRET",
            "--algorithm",
            "hmac-blake2b",
            token.trim(),
        ])
        .env("CM_TEST_SECRET", "an environment secret")
        .output()
        .unwrap();
    assert_eq!(stdout(&verified), "a\n");
}

#[test]
fn configuration_errors_exit_2_and_never_print_the_secret() {
    let dir = TempDir::new("config");
    let short = dir.file("short", b"tiny-secret");
    for args in [
        vec!["token", "create", "user"],
        vec![
            "token",
            "create",
            "--secret-file",
            "/nonexistent/secret",
            "user",
        ],
        vec![
            "token",
            "create",
            "--secret-file",
            short.to_str().unwrap(),
            "user",
        ],
        vec![
            "token",
            "create",
            "--secret-env",
            "CM_SURELY_UNSET_VARIABLE",
            "user",
        ],
        vec![
            "token",
            "create",
            "--secret-file",
            short.to_str().unwrap(),
            "--algorithm",
            "hmac-md5",
            "user",
        ],
        vec!["frobnicate"],
    ] {
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("tiny-secret"),
            "{args:?} leaked the secret"
        );
    }
    let bad_field = dir.file("s", SECRET);
    let out = run(
        &[
            "token",
            "create",
            "--secret-file",
            bad_field.to_str().unwrap(),
            "a@b",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid_value"));
    for help in [
        vec!["--help"],
        vec!["token", "verify", "--help"],
        vec!["url", "sign", "--help"],
        vec!["--version"],
    ] {
        let out = run(&help, None);
        assert_eq!(out.status.code(), Some(0), "{help:?}");
    }
    assert!(stdout(&run(&["--help"], None)).contains("Examples:"));
}

#[test]
fn url_sign_reproduces_the_ska_vector_and_verify_reports_expiry() {
    let dir = TempDir::new("ska");
    let secret = dir.file("s", b"your-secret-key");
    let secret = secret.to_str().unwrap();
    let out = run(
        &[
            "url",
            "sign",
            "--secret-file",
            secret,
            "--user",
            "user",
            "--valid-until",
            "1378045287.0",
            "--extra",
            "provider=service1.example.com",
            "--extra",
            "email=john.doe@mail.example.com",
            "http://e.com/api/",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning"),
        "a 15-byte secret earns a warning"
    );
    let url = stdout(&out);
    assert_eq!(
        url.trim(),
        "http://e.com/api/?signature=2mqmLfwl%2BqDJBfAF7OvnmNWvxAY%3D&auth_user=user&valid_until=1378045287.0\
         &extra=email%2Cprovider&provider=service1.example.com&email=john.doe%40mail.example.com"
    );
    let verified = run(
        &["url", "verify", "--secret-file", secret, url.trim()],
        None,
    );
    assert_eq!(verified.status.code(), Some(1));
    assert!(
        stderr(&verified).contains("expired"),
        "{}",
        stderr(&verified)
    );
    assert!(!stderr(&verified).contains("bad_signature"));
}

#[test]
fn url_round_trip_and_tampering() {
    let dir = TempDir::new("url");
    let secret = dir.file("s", SECRET);
    let secret = secret.to_str().unwrap();
    let out = run(
        &[
            "url",
            "sign",
            "--secret-file",
            secret,
            "--algorithm",
            "hmac-sha256",
            "--user",
            "alice",
            "--extra",
            "scope=read",
            "https://f.example/x?a=1",
        ],
        None,
    );
    let url = stdout(&out);
    assert!(
        url.starts_with("https://f.example/x?a=1&signature="),
        "{url}"
    );
    let ok = run(
        &[
            "url",
            "verify",
            "--secret-file",
            secret,
            "--algorithm",
            "hmac-sha256",
            url.trim(),
        ],
        None,
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let text = stdout(&ok);
    assert!(
        text.starts_with("auth_user: alice\nvalid_until: "),
        "{text}"
    );
    assert!(text.ends_with("scope: read\n"), "{text}");
    let json = run(
        &[
            "url",
            "verify",
            "--secret-file",
            secret,
            "--algorithm",
            "hmac-sha256",
            "--json",
            url.trim(),
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(v["auth_user"], "alice");
    assert_eq!(v["extra"]["scope"], "read");
    let tampered = url.trim().replace("scope=read", "scope=write");
    let bad = run(
        &[
            "url",
            "verify",
            "--secret-file",
            secret,
            "--algorithm",
            "hmac-sha256",
            &tampered,
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("bad_signature"), "{}", stderr(&bad));
    let wrong_alg = run(
        &["url", "verify", "--secret-file", secret, url.trim()],
        None,
    );
    assert_eq!(wrong_alg.status.code(), Some(1));
}

#[test]
fn keygen_output_decodes_to_the_requested_length() {
    use base64::Engine as _;
    let hex = stdout(&run(&["keygen", "--bytes", "16", "--format", "hex"], None));
    assert_eq!(hex.len(), 32, "{hex:?}");
    let b64 = stdout(&run(
        &["keygen", "--bytes", "33", "--format", "base64"],
        None,
    ));
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .unwrap();
    assert_eq!(raw.len(), 33);
    let big = run(&["keygen", "--bytes", "1024"], None);
    assert_eq!(stdout(&big).len(), 2048);
    for bad in [
        vec!["keygen", "--bytes", "1025"],
        vec!["keygen", "--format", "pem"],
    ] {
        assert_eq!(run(&bad, None).status.code(), Some(2), "{bad:?}");
    }
    // The output, used as a secret file as it is, is a working key.
    let dir = TempDir::new("keygen");
    let secret = dir.file("s", stdout(&run(&["keygen"], None)).as_bytes());
    let secret = secret.to_str().unwrap();
    let token = stdout(&run(
        &["token", "create", "--secret-file", secret, "x"],
        None,
    ));
    let out = run(&["token", "verify", "--secret-file", secret], Some(&token));
    assert_eq!(stdout(&out), "x\n");
    assert_eq!(
        stderr(&out),
        "",
        "no newline warning for keygen's own output"
    );
}

#[test]
fn every_help_has_a_description_and_examples() {
    for args in [
        vec!["--help"],
        vec!["keygen", "--help"],
        vec!["token", "--help"],
        vec!["token", "create", "--help"],
        vec!["token", "verify", "--help"],
        vec!["url", "--help"],
        vec!["url", "sign", "--help"],
        vec!["url", "verify", "--help"],
        vec!["help", "token", "verify"],
        vec!["request", "--help"],
        vec!["request", "sign", "--help"],
    ] {
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = stdout(&out);
        assert!(
            text.contains("Examples:\n  countermark "),
            "{args:?}: {text}"
        );
        assert!(!text.starts_with("Usage:"), "{args:?} has no description");
    }
    assert!(stdout(&run(&["keygen", "--help"], None)).contains("stdout is a terminal"));
    let version = run(&["--version"], None);
    assert_eq!(
        stdout(&version),
        format!("countermark {}\n", countermark::VERSION)
    );
}

#[test]
fn token_from_stdin_by_default_with_trailing_whitespace() {
    let dir = TempDir::new("stdin");
    let secret = dir.file("s", SECRET);
    let secret = secret.to_str().unwrap();
    let token = stdout(&run(
        &["token", "create", "--secret-file", secret, "a", "", "b-c_D"],
        None,
    ));
    let out = run(
        &["token", "verify", "--secret-file", secret, "--json"],
        Some(&format!("{}\r\n \t\n", token.trim())),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "[\"a\",\"\",\"b-c_D\"]\n");
    // A token without fields (the CLI will not make one, handshake clients may) verifies to no fields.
    let none = countermark::Tokens::new(countermark::HmacKey::new(
        countermark::Algorithm::HmacSha256,
        &countermark::Secret::new(SECRET).unwrap(),
    ))
    .create::<&str>(&[])
    .unwrap();
    let out = run(
        &["token", "verify", "--secret-file", secret, "--json", "-"],
        Some(&none),
    );
    assert_eq!(stdout(&out), "[]\n");
    let out = run_bytes(
        &["token", "verify", "--secret-file", secret],
        Some(b"\xff\xfe:1:2:3"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("malformed"), "{}", stderr(&out));
    let out = run(&["token", "verify", "--secret-file", secret], Some(""));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("malformed"), "{}", stderr(&out));
}

#[test]
fn future_tokens_and_other_algorithms() {
    let dir = TempDir::new("future");
    let secret = dir.file("s", SECRET);
    let secret = secret.to_str().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let key = HmacKey::new(Algorithm::HmacSha512, &Secret::new(SECRET).unwrap());
    let future = Tokens::new(key)
        .with_clock(Arc::new(FixedClock::at_secs(now + 3600)))
        .create(&["svc"])
        .unwrap();
    let verify = |alg: &str, max_age: &str| {
        run(
            &[
                "token",
                "verify",
                "--secret-file",
                secret,
                "--algorithm",
                alg,
                "--max-age",
                max_age,
                &future,
            ],
            None,
        )
    };
    let out = verify("hmac-sha512", "300");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not_yet_valid"), "{}", stderr(&out));
    assert_eq!(verify("hmac-sha512", "7200").status.code(), Some(0));
    // One spelling: another one is a usage error, not a second name for the same algorithm.
    assert_eq!(verify("SHA-512", "7200").status.code(), Some(2));
    let out = verify("hmac-sha256", "7200");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad_signature"));
    assert_eq!(verify("hmac-sha512", "-1").status.code(), Some(2));
    for alg in [
        "hmac-sha1",
        "hmac-sha224",
        "hmac-sha256",
        "hmac-sha384",
        "hmac-sha512",
        "hmac-blake2s",
        "hmac-blake2b",
    ] {
        let token = stdout(&run(
            &[
                "token",
                "create",
                "--secret-file",
                secret,
                "--algorithm",
                alg,
                "f",
            ],
            None,
        ));
        let out = run(
            &[
                "token",
                "verify",
                "--secret-file",
                secret,
                "--algorithm",
                alg,
                token.trim(),
            ],
            None,
        );
        assert_eq!(stdout(&out), "f\n", "{alg}: {}", stderr(&out));
    }
}

#[test]
fn secret_sources_are_checked_and_never_echoed() {
    let dir = TempDir::new("sources");
    let secret = dir.file("s", SECRET);
    let secret = secret.to_str().unwrap();
    let both = Command::new(BIN)
        .args([
            "token",
            "create",
            "--secret-file",
            secret,
            "--secret-env",
            "CM_X",
            "u",
        ])
        .env("CM_X", "an environment secret")
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    let huge = dir.file("huge", &[b'k'; 5000]);
    let out = run(
        &[
            "token",
            "create",
            "--secret-file",
            huge.to_str().unwrap(),
            "u",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("1024"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("kkkk"));
    let empty = dir.file("empty", b"");
    for cmd in [
        vec![
            "token",
            "create",
            "--secret-file",
            empty.to_str().unwrap(),
            "u",
        ],
        vec![
            "url",
            "sign",
            "--secret-file",
            empty.to_str().unwrap(),
            "--user",
            "u",
            "http://e.com/",
        ],
    ] {
        let out = run(&cmd, None);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}");
        assert!(stderr(&out).contains("invalid_key"), "{}", stderr(&out));
    }
    let dir_as_secret = run(
        &[
            "token",
            "create",
            "--secret-file",
            dir.0.to_str().unwrap(),
            "u",
        ],
        None,
    );
    assert_eq!(dir_as_secret.status.code(), Some(2));
    // A trailing newline is part of the key: used as is, with a warning.
    let with_newline = dir.file("nl", b"0123456789abcdef0123456789abcdef\n");
    let with_newline = with_newline.to_str().unwrap();
    let out = run(
        &["token", "create", "--secret-file", with_newline, "u"],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("newline"), "{}", stderr(&out));
    let token = stdout(&out);
    let ok = run(
        &[
            "token",
            "verify",
            "--secret-file",
            with_newline,
            token.trim(),
        ],
        None,
    );
    assert_eq!(ok.status.code(), Some(0));
    let trimmed = run(
        &["token", "verify", "--secret-file", secret, token.trim()],
        None,
    );
    assert_eq!(
        trimmed.status.code(),
        Some(1),
        "the newline is part of the key"
    );
    assert!(!stderr(&trimmed).contains("0123456789abcdef"));
}

/// A link made by ska 1.11.2's HMACMD5Signature with its JavaScript helpers (ska's documentation key, 15 bytes):
/// `RequestHelper(signature_cls=HMACMD5Signature).signature_to_url(HMACMD5Signature.generate_signature("alice",
/// "your-secret-key", valid_until="4102444800.0", extra={"path": "/a (b)", "punct": "!*'()"},
/// value_dumper=javascript_value_dumper, quoter=javascript_quoter), "https://e.com/file")`.
const SKA_JS_MD5_URL: &str =
    "https://e.com/file?signature=wjjeysRravFClOPSA0MYQw%3D%3D&auth_user=alice\
    &valid_until=4102444800.0&extra=path%2Cpunct&path=%2Fa+%28b%29&punct=%21%2A%27%28%29";

#[test]
fn url_commands_take_ska_md5_and_javascript_helpers() {
    let dir = TempDir::new("skajs");
    let secret = dir.file("s", b"your-secret-key");
    let secret = secret.to_str().unwrap();
    let js = [
        "--algorithm",
        "hmac-md5",
        "--quoter",
        "javascript",
        "--value-dumper",
        "javascript",
    ];
    let mut args = vec!["url", "verify", "--secret-file", secret, "--json"];
    args.extend(js);
    args.push(SKA_JS_MD5_URL);
    let ok = run(&args, None);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let data: serde_json::Value = serde_json::from_str(stdout(&ok).trim()).unwrap();
    assert_eq!(data["auth_user"], "alice");
    assert_eq!(data["extra"]["punct"], "!*'()");
    // ska's default quoter signs other text for these values: the link is refused without --quoter javascript.
    let refused = run(
        &[
            "url",
            "verify",
            "--secret-file",
            secret,
            "--algorithm",
            "hmac-md5",
            SKA_JS_MD5_URL,
        ],
        None,
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("bad_signature"),
        "{}",
        stderr(&refused)
    );
    // Signing with the same options gives ska's URL byte for byte, and warns that MD5 is legacy.
    let mut args = vec!["url", "sign", "--secret-file", secret, "--user", "alice"];
    args.extend(js);
    args.extend([
        "--valid-until",
        "4102444800.0",
        "--extra",
        "path=/a (b)",
        "--extra",
        "punct=!*'()",
        "https://e.com/file",
    ]);
    let signed = run(&args, None);
    assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
    assert_eq!(stdout(&signed).trim(), SKA_JS_MD5_URL);
    assert!(stderr(&signed).contains("legacy"), "{}", stderr(&signed));
}

#[test]
fn url_sign_argument_errors_exit_2() {
    let dir = TempDir::new("urlargs");
    let secret = dir.file("s", SECRET);
    let secret = secret.to_str().unwrap();
    let base = ["url", "sign", "--secret-file", secret, "--user", "u"];
    for extra_args in [
        vec!["--lifetime", "5", "--valid-until", "1700000000.0"],
        vec!["--extra", "no-equals-sign"],
        vec!["--extra", "=v"],
        vec!["--extra", "a,b=v"],
        vec!["--extra", "k=1", "--extra", "k=2"],
        vec!["--extra", "signature=x"],
        vec!["--valid-until", "tomorrow"],
        vec!["--algorithm", "hmac-md4"],
        // One spelling: the hash alone, upper case and the old flag are usage errors.
        vec!["--algorithm", "sha256"],
        vec!["--algorithm", "HMAC-SHA256"],
        vec!["--alg", "hmac-sha256"],
        vec!["--quoter", "js"],
        vec!["--value-dumper", "php"],
        vec!["--lifetime", "-5"],
    ] {
        let mut args = base.to_vec();
        args.extend(&extra_args);
        args.push("http://e.com/");
        let out = run(&args, None);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{extra_args:?}: {}",
            stderr(&out)
        );
        assert_eq!(stdout(&out), "");
    }
    let missing_user = run(
        &["url", "sign", "--secret-file", secret, "http://e.com/"],
        None,
    );
    assert_eq!(missing_user.status.code(), Some(2));
}

#[test]
fn url_values_with_special_characters_round_trip() {
    let dir = TempDir::new("urlchars");
    let secret = dir.file("s", SECRET);
    let secret = secret.to_str().unwrap();
    let url = stdout(&run(
        &[
            "url",
            "sign",
            "--secret-file",
            secret,
            "--user",
            "jöhn doe+1",
            "--lifetime",
            "60",
            "--extra",
            "q=a=b&c d",
            "--extra",
            "empty=",
            "https://e.com/p?x=1#frag",
        ],
        None,
    ));
    let out = run(
        &[
            "url",
            "verify",
            "--secret-file",
            secret,
            "--json",
            url.trim(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{url}: {}", stderr(&out));
    assert!(url.starts_with("https://e.com/p?x=1&signature="), "{url}");
    assert!(
        url.trim().ends_with("&empty=#frag"),
        "the fragment stays last: {url}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["auth_user"], "jöhn doe+1");
    assert_eq!(v["extra"]["q"], "a=b&c d");
    assert_eq!(v["extra"]["empty"], "");
    let valid_until: f64 = v["valid_until"].as_str().unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        (now + 50.0..now + 61.0).contains(&valid_until),
        "{valid_until}"
    );
    // The secret from the environment verifies the same URL.
    let env = Command::new(BIN)
        .args(["url", "verify", "--secret-env", "CM_URL_SECRET", url.trim()])
        .env("CM_URL_SECRET", std::str::from_utf8(SECRET).unwrap())
        .output()
        .unwrap();
    assert_eq!(env.status.code(), Some(0), "{}", stderr(&env));
    assert!(stdout(&env).starts_with("auth_user: jöhn doe+1\n"));
    // Not a signed URL at all, and a forged signature: both refused with exit 1.
    for bad in [
        "https://e.com/p".to_string(),
        url.trim().replacen("signature=", "signature=A", 1),
    ] {
        let out = run(&["url", "verify", "--secret-file", secret, &bad], None);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(stderr(&out).contains("bad_signature"), "{}", stderr(&out));
        assert_eq!(stdout(&out), "");
    }
}

/// A published Ed25519 test key (the README's): never use it for real.
const TEST_ED25519_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n-----END PRIVATE KEY-----\n";

/// `request sign` with COUNTERMARK_SECRET set to `secret` (and nothing else from the environment's secrets).
fn request_sign(secret: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command.args(["request", "sign"]).args(args);
    command.env_remove("COUNTERMARK_SECRET");
    if let Some(secret) = secret {
        command.env("COUNTERMARK_SECRET", secret);
    }
    command.output().unwrap()
}

/// Verifies the printed header lines of `scheme` with the core's verifiers (default policies, system clock) for
/// the request as a server sees it: origin-form target, scheme and authority, Content-Type and body.
fn verify_signed_request(
    scheme: &str,
    method: &str,
    (scheme_part, authority, target): (&str, &str, &str),
    content_type: Option<&str>,
    body: Option<&[u8]>,
    printed: &str,
    secret_b64: &str,
) -> Result<(), countermark::Error> {
    use base64::Engine as _;
    use countermark::http::message_signatures::{
        Component, MessagePolicy, MessageVerifyingKey, UnverifiedMessageSignature,
    };
    use countermark::http::{fost, hmac_header, Request};
    use countermark::jwt::{Policy as JwtPolicy, UnverifiedJwt};

    let mut request = Request::new(method, target)?.with_authority(scheme_part, authority);
    if let Some(ct) = content_type {
        request = request.with_header("Content-Type", ct)?;
    }
    if let Some(body) = body {
        request = request.with_body(body);
    }
    assert!(printed.ends_with('\n'), "{printed:?}");
    for line in printed.lines() {
        let (name, value) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("not a header line: {line:?}"));
        request = request.with_header(name, value)?;
    }
    match scheme {
        "hmac" => {
            let unverified = hmac_header::parse(&request)?.expect("an HMAC header");
            assert_eq!(unverified.claimed_key_id(), "client-1");
            let secret = hmac_header::ApiSecret::from_base64(secret_b64)?;
            unverified.verify(&secret, &hmac_header::Policy::default())?;
        }
        "fost" => {
            let unverified = fost::parse(&request)?.expect("a FOST header");
            assert_eq!(unverified.claimed_key_id(), "client-1");
            let key = fost::hmac_key(&Secret::new(secret_b64.as_bytes())?);
            let verified = unverified.verify(&key, &fost::Policy::default())?;
            let signed: Vec<&str> = verified
                .signed_headers()
                .iter()
                .map(|(n, _)| n.as_str())
                .collect();
            assert_eq!(signed.contains(&"Content-Type"), content_type.is_some());
        }
        "rfc9421" => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(secret_b64)
                .unwrap();
            let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new(raw)?);
            let mut required = vec!["@method", "@authority", "@path"];
            if target.contains('?') {
                required.push("@query");
            }
            if body.is_some() {
                required.push("content-digest");
            }
            let components = required
                .iter()
                .map(|c| Component::parse(c))
                .collect::<Result<Vec<_>, _>>()?;
            let policy = MessagePolicy::new()
                .with_label("sig1")
                .with_required_components(components)
                .require_key_id(true)
                .require_nonce(true)
                .check_content_digest(body.is_some());
            let unverified = UnverifiedMessageSignature::parse_for(&request, &policy)?
                .expect("the request carries an RFC 9421 signature");
            assert_eq!(unverified.claimed_key_id(), Some("client-1"));
            let verified = unverified.verify(&MessageVerifyingKey::hmac(key)?, &policy)?;
            assert_eq!(verified.covered_components().len(), required.len());
            assert_eq!(verified.body_checked(), body.is_some());
        }
        "jwt" => {
            let unverified = UnverifiedJwt::from_request(&request)?.expect("a JWT header");
            let key = countermark::SigningKey::from_pem(TEST_ED25519_PEM)?;
            let verified = unverified.verify(key.verifying_key(), &JwtPolicy::new())?;
            assert_eq!(verified.username(), "alice");
        }
        other => panic!("unknown scheme {other}"),
    }
    Ok(())
}

#[test]
fn request_sign_every_scheme_verifies_with_the_core() {
    use base64::Engine as _;
    let dir = TempDir::new("request");
    let mut raw = [0u8; 32];
    countermark::RandomSource::fill(&mut countermark::OsRandom, &mut raw).unwrap();
    let secret = base64::engine::general_purpose::STANDARD.encode(raw);
    let body = br#"{"order": {"id": 42, "items": ["tea", "scones"]}}"#;
    let body_file = dir.file("body.json", body);
    let pem_file = dir.file("key.pem", TEST_ED25519_PEM.as_bytes());
    let (body_file, pem_file) = (body_file.to_str().unwrap(), pem_file.to_str().unwrap());
    for scheme in ["hmac", "fost", "rfc9421", "jwt"] {
        let post_url = "https://api.example.com:8443/v1/orders/";
        let get_url = "https://api.example.com/v1/orders/?page=2&q=tea%20cake";
        let mut post = vec![scheme, "--method", "POST", "--url", post_url];
        post.extend([
            "--body-file",
            body_file,
            "--content-type",
            "application/json",
        ]);
        let mut get = vec![scheme, "--method", "GET", "--url", get_url];
        for args in [&mut post, &mut get] {
            if scheme == "jwt" {
                args.extend(["--user", "alice", "--private-key-file", pem_file]);
            } else {
                args.extend(["--key-id", "client-1"]);
            }
        }
        let signed = request_sign(Some(&secret), &post);
        assert_eq!(
            signed.status.code(),
            Some(0),
            "{scheme}: {}",
            stderr(&signed)
        );
        assert!(signed.stderr.is_empty(), "{scheme}: {}", stderr(&signed));
        let printed = stdout(&signed);
        let server = ("https", "api.example.com:8443", "/v1/orders/");
        let ct = Some("application/json");
        verify_signed_request(scheme, "POST", server, ct, Some(body), &printed, &secret)
            .unwrap_or_else(|e| panic!("{scheme} POST: {e}\n{printed}"));
        if scheme != "jwt" {
            // The body is signed by every scheme but jwt, and the method by fost and rfc9421.
            let other = br#"{"order": {"id": 43, "items": ["tea", "scones"]}}"#;
            assert!(
                verify_signed_request(scheme, "POST", server, ct, Some(other), &printed, &secret)
                    .is_err(),
                "{scheme}: a changed body was accepted"
            );
        }

        let signed = request_sign(Some(&secret), &get);
        assert_eq!(
            signed.status.code(),
            Some(0),
            "{scheme}: {}",
            stderr(&signed)
        );
        let printed = stdout(&signed);
        let server = (
            "https",
            "api.example.com",
            "/v1/orders/?page=2&q=tea%20cake",
        );
        verify_signed_request(scheme, "GET", server, None, None, &printed, &secret)
            .unwrap_or_else(|e| panic!("{scheme} GET: {e}\n{printed}"));
        if scheme == "fost" || scheme == "rfc9421" {
            assert!(
                verify_signed_request(scheme, "DELETE", server, None, None, &printed, &secret)
                    .is_err(),
                "{scheme}: a changed method was accepted"
            );
        }
    }
}

#[test]
fn request_sign_errors_exit_2_or_1_and_print_nothing() {
    let dir = TempDir::new("request-errors");
    let text = dir.file("body.txt", b"plain text");
    let text = text.to_str().unwrap();
    let secret = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    for (env, args) in [
        (
            Some(secret),
            vec!["hmac", "--method", "GET", "--url", "https://e.com/"],
        ),
        (
            Some(secret),
            vec![
                "nope",
                "--key-id",
                "k",
                "--method",
                "GET",
                "--url",
                "https://e.com/",
            ],
        ),
        (
            Some(secret),
            vec![
                "fost",
                "--key-id",
                "k",
                "--method",
                "GET",
                "--url",
                "/relative",
            ],
        ),
        (
            None,
            vec![
                "fost",
                "--key-id",
                "k",
                "--method",
                "GET",
                "--url",
                "https://e.com/",
            ],
        ),
        (
            Some("not base64!"),
            vec![
                "rfc9421",
                "--key-id",
                "k",
                "--method",
                "GET",
                "--url",
                "https://e.com/",
            ],
        ),
        (
            Some("c2hvcnQ="),
            vec![
                "hmac",
                "--key-id",
                "k",
                "--method",
                "GET",
                "--url",
                "https://e.com/",
            ],
        ),
        (
            Some(secret),
            vec![
                "jwt",
                "--user",
                "alice",
                "--method",
                "GET",
                "--url",
                "https://e.com/",
            ],
        ),
        (
            Some(secret),
            vec![
                "jwt",
                "--user",
                "a",
                "--private-key-file",
                text,
                "--method",
                "GET",
                "--url",
                "https://e.com/",
            ],
        ),
    ] {
        let out = request_sign(env, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!stderr(&out).is_empty(), "{args:?}");
        assert!(
            !stderr(&out).contains(secret),
            "{args:?}: the secret was printed"
        );
    }
    let refused = request_sign(
        Some(secret),
        &[
            "hmac",
            "--key-id",
            "k",
            "--method",
            "POST",
            "--url",
            "https://e.com/",
            "--body-file",
            text,
            "--content-type",
            "text/plain",
        ],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(refused.stdout.is_empty());
    assert!(
        stderr(&refused).contains("malformed"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn a_refused_key_id_is_a_usage_error_for_every_scheme() {
    let secret = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    for scheme in ["hmac", "fost", "rfc9421"] {
        let args = |key_id: &'static str| {
            vec![
                scheme,
                "--key-id",
                key_id,
                "--method",
                "GET",
                "--url",
                "https://e.com/",
            ]
        };
        // The same command with a good key id signs: only the key id differs.
        let ok = request_sign(Some(secret), &args("client-1"));
        assert_eq!(ok.status.code(), Some(0), "{scheme}: {}", stderr(&ok));
        let out = request_sign(Some(secret), &args("bad\tkey"));
        assert_eq!(out.status.code(), Some(2), "{scheme}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{scheme}");
        assert!(
            stderr(&out).contains("--key-id"),
            "{scheme}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn token_create_without_fields_is_a_usage_error() {
    let dir = TempDir::new("no-fields");
    let secret = dir.file("s", SECRET);
    let secret = secret.to_str().unwrap();
    let out = run(&["token", "create", "--secret-file", secret], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "printed {:?}", stdout(&out));
    assert!(stderr(&out).contains("FIELD"), "{}", stderr(&out));
    let one = run(&["token", "create", "--secret-file", secret, "a"], None);
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
}

/// `request explain` with COUNTERMARK_SECRET set to `secret` (or unset), reading `stdin` when given.
fn request_explain(secret: Option<&str>, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(["request", "explain"])
        .args(args)
        .env_remove("COUNTERMARK_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(secret) = secret {
        command.env("COUNTERMARK_SECRET", secret);
    }
    let mut child = command.spawn().unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(bytes) = stdin {
            input.write_all(bytes).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

/// The raw HTTP/1.1 request a server receives: origin-form target, Host, the printed header lines, the body.
fn raw_request(method: &str, target: &str, printed: &str, body: Option<&[u8]>) -> Vec<u8> {
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: api.example.com\r\n");
    for line in printed.lines() {
        raw.push_str(line);
        raw.push_str("\r\n");
    }
    if let Some(body) = body {
        raw.push_str("Content-Type: application/json\r\n");
        raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    raw.push_str("\r\n");
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body.unwrap_or_default());
    raw
}

fn explanation_json(out: &Output) -> serde_json::Value {
    serde_json::from_str(stdout(out).trim_end()).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

/// A second Ed25519 key (a fixed seed, for tests only): its public key did not sign anything here.
fn other_ed25519_public_pem() -> String {
    let mut pkcs8 = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    pkcs8.extend_from_slice(&[7u8; 32]);
    countermark::SigningKey::from_pkcs8_der(&pkcs8)
        .unwrap()
        .verifying_key()
        .to_pem()
}

#[test]
fn request_explain_every_scheme_valid_then_tampered_body_is_bad_signature() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let dir = TempDir::new("explain");
    let mut raw_secret = [0u8; 32];
    countermark::RandomSource::fill(&mut countermark::OsRandom, &mut raw_secret).unwrap();
    let secret = b64.encode(raw_secret);
    let hex_secret: String = raw_secret.iter().map(|b| format!("{b:02x}")).collect();
    let body: &[u8] = br#"{"order": 42}"#;
    let tampered: &[u8] = br#"{"order": 43}"#;
    let body_file = dir.file("body.json", body);
    for scheme in ["hmac", "fost", "rfc9421"] {
        let sign_args = [
            scheme,
            "--key-id",
            "client-1",
            "--method",
            "POST",
            "--url",
            "https://api.example.com/orders",
            "--body-file",
            body_file.to_str().unwrap(),
            "--content-type",
            "application/json",
        ];
        let signed = request_sign(Some(&secret), &sign_args);
        assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
        let printed = stdout(&signed);

        let good = dir.file(
            "good.http",
            &raw_request("POST", "/orders", &printed, Some(body)),
        );
        let out = request_explain(
            Some(&secret),
            &[scheme, "--json", good.to_str().unwrap()],
            None,
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{scheme}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        let json = explanation_json(&out);
        assert_eq!(json["scheme"], scheme);
        assert_eq!(json["verdict"], "valid");
        assert_eq!(json["time_window"], "ok");
        assert_eq!(json["key_id"], "client-1");
        assert_eq!(
            json["expected_signature"], json["received_signature"],
            "{scheme}"
        );
        assert!(json["string_to_sign"].is_string());

        // The same request from stdin, as text.
        let raw = raw_request("POST", "/orders", &printed, Some(tampered));
        let out = request_explain(Some(&secret), &[scheme, "-"], Some(&raw));
        assert_eq!(out.status.code(), Some(1), "{scheme}: {}", stdout(&out));
        let text = stdout(&out);
        assert!(
            text.starts_with(&format!("scheme: {scheme}\nverdict: bad_signature\n")),
            "{text}"
        );
        assert!(text.contains("\nstring_to_sign:\n  "), "{text}");
        assert!(stderr(&out).contains("bad_signature"), "{}", stderr(&out));

        let bad = dir.file("bad.http", &raw);
        let out = request_explain(
            Some(&secret),
            &[scheme, "--json", bad.to_str().unwrap()],
            None,
        );
        assert_eq!(out.status.code(), Some(1));
        let json = explanation_json(&out);
        assert_eq!(json["verdict"], "bad_signature", "{scheme}");
        let sts = json["string_to_sign"].as_str().unwrap();
        match scheme {
            // The body received is signed as it is (FOST) or by the hash of its canonical JSON (HMAC header).
            "fost" => assert!(sts.ends_with(r#"{"order": 43}"#), "{sts}"),
            "hmac" => {
                use countermark::http::hmac_header::{ApiSecret, Body, HmacHeaderSigner};
                let key = ApiSecret::from_base64(&secret)
                    .unwrap()
                    .key(Algorithm::HmacSha256)
                    .unwrap();
                let hash = HmacHeaderSigner::new("client-1", key)
                    .unwrap()
                    .sign_at(&Body::Json(tampered), "2023-05-07T14:15:37+00:00")
                    .unwrap()
                    .body_hash()
                    .unwrap()
                    .to_string();
                assert!(sts.starts_with(&format!("{hash};")), "{sts}");
            }
            // RFC 9421 signs the Content-Digest sent; the body received no longer matches it.
            _ => {
                assert!(sts.contains("\"content-digest\": sha-256=:"), "{sts}");
                assert_eq!(json["signature_matches"], true);
                assert!(
                    json["message"].as_str().unwrap().contains("Content-Digest"),
                    "{json}"
                );
            }
        }
        if scheme != "rfc9421" {
            assert_eq!(json["signature_matches"], false);
            assert_ne!(json["expected_signature"], json["received_signature"]);
        }
        for shown in [stdout(&out), text] {
            assert!(
                !shown.contains(&secret) && !shown.contains(&hex_secret),
                "{shown}"
            );
        }

        // An hour later the good request has expired.
        let later = (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600)
            .to_string();
        let out = request_explain(
            Some(&secret),
            &[scheme, "--json", "--at", &later, good.to_str().unwrap()],
            None,
        );
        assert_eq!(out.status.code(), Some(1));
        let json = explanation_json(&out);
        assert_eq!(
            (json["verdict"].as_str(), json["time_window"].as_str()),
            (Some("expired"), Some("expired"))
        );
    }

    // JWT: the public key verifies; another one does not.
    let private = dir.file("alice.pem", TEST_ED25519_PEM.as_bytes());
    let signed = request_sign(
        None,
        &[
            "jwt",
            "--user",
            "alice",
            "--private-key-file",
            private.to_str().unwrap(),
            "--method",
            "GET",
            "--url",
            "https://api.example.com/me",
        ],
    );
    assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
    let raw = dir.file(
        "jwt.http",
        &raw_request("GET", "/me", &stdout(&signed), None),
    );
    let public = countermark::SigningKey::from_pem(TEST_ED25519_PEM)
        .unwrap()
        .verifying_key()
        .to_pem();
    let public = dir.file("alice.pub.pem", public.as_bytes());
    let out = request_explain(
        None,
        &[
            "jwt",
            "--json",
            "--public-key",
            public.to_str().unwrap(),
            raw.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let json = explanation_json(&out);
    assert_eq!(
        (json["verdict"].as_str(), json["algorithm"].as_str()),
        (Some("valid"), Some("ed25519"))
    );
    assert!(json["expected_signature"].is_null());
    let other = dir.file("other.pub.pem", other_ed25519_public_pem().as_bytes());
    let out = request_explain(
        None,
        &[
            "jwt",
            "--json",
            "--public-key",
            other.to_str().unwrap(),
            raw.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(explanation_json(&out)["verdict"], "bad_signature");
}

#[test]
fn request_explain_fost_signed_urls() {
    use base64::Engine as _;
    let secret = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
    let key = countermark::http::fost::hmac_key(&Secret::new(secret.as_bytes()).unwrap());
    let signed = countermark::FostUrlSigner::new("client-1", key)
        .unwrap()
        .sign("https://api.example.com/file?a=1", Some(4_000_000_000))
        .unwrap();
    let target = signed
        .url()
        .strip_prefix("https://api.example.com")
        .unwrap();
    let good = format!("GET {target} HTTP/1.1\nHost: api.example.com\n\n");
    let out = request_explain(
        Some(&secret),
        &["fost-url", "--json", "-"],
        Some(good.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let json = explanation_json(&out);
    assert_eq!(
        (json["scheme"].as_str(), json["verdict"].as_str()),
        (Some("fost-url"), Some("valid"))
    );
    assert_eq!(json["string_to_sign"], signed.document());

    let moved = good.replace("a=1", "a=2");
    let out = request_explain(
        Some(&secret),
        &["fost-url", "--json", "-"],
        Some(moved.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let json = explanation_json(&out);
    assert_eq!(json["verdict"], "bad_signature");
    assert!(json["string_to_sign"].as_str().unwrap().contains("a=2"));
}

#[test]
fn request_explain_refusals_and_usage_errors() {
    use base64::Engine as _;
    let dir = TempDir::new("explain-errors");
    let secret = base64::engine::general_purpose::STANDARD.encode([5u8; 32]);
    let plain = b"GET /me HTTP/1.1\r\nHost: api.example.com\r\n\r\n";

    // A request without the scheme's credentials, and one that is not HTTP: refused (exit 1) as malformed.
    for (scheme, raw) in [
        ("hmac", &plain[..]),
        ("fost", &plain[..]),
        ("rfc9421", &plain[..]),
        ("hmac", &b"not a request"[..]),
        (
            "hmac",
            &b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n{}"[..],
        ),
    ] {
        let out = request_explain(Some(&secret), &[scheme, "--json", "-"], Some(raw));
        assert_eq!(out.status.code(), Some(1), "{scheme}: {}", stdout(&out));
        let json = explanation_json(&out);
        assert_eq!(
            (json["scheme"].as_str(), json["verdict"].as_str()),
            (Some(scheme), Some("malformed"))
        );
        assert!(stderr(&out).contains("malformed"), "{}", stderr(&out));
    }

    let file = dir.file("plain.http", plain);
    let public = dir.file("other.pub.pem", other_ed25519_public_pem().as_bytes());
    for (secret, args) in [
        (None, vec!["hmac", file.to_str().unwrap()]),
        (Some("not base64!"), vec!["fost", file.to_str().unwrap()]),
        (None, vec!["jwt", file.to_str().unwrap()]),
        (
            Some(&*secret),
            vec![
                "hmac",
                "--public-key",
                public.to_str().unwrap(),
                file.to_str().unwrap(),
            ],
        ),
        (Some(&*secret), vec!["hmac", "/nonexistent/request.http"]),
        (Some(&*secret), vec!["smtp", file.to_str().unwrap()]),
        (Some(&*secret), vec!["hmac"]),
    ] {
        let out = request_explain(secret, &args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{args:?}");
    }
}

#[test]
fn algorithm_flags_take_the_one_spelling_and_name_it_when_refused() {
    let dir = TempDir::new("algorithm");
    let secret = dir.file("secret", b"0123456789abcdef0123456789abcdef");
    let secret = secret.to_str().unwrap();
    let token = run(
        &[
            "token",
            "create",
            "--secret-file",
            secret,
            "--algorithm",
            "hmac-sha512",
            "u",
        ],
        None,
    );
    assert_eq!(token.status.code(), Some(0), "{}", stderr(&token));
    let token = stdout(&token);
    let verify = |alg: &str| {
        run(
            &[
                "token",
                "verify",
                "--secret-file",
                secret,
                "--algorithm",
                alg,
                token.trim(),
            ],
            None,
        )
    };
    assert_eq!(stdout(&verify("hmac-sha512")), "u\n");
    // The token was made with hmac-sha512: the default (hmac-sha256) refuses it.
    assert_eq!(
        run(
            &["token", "verify", "--secret-file", secret, token.trim()],
            None
        )
        .status
        .code(),
        Some(1)
    );
    for old in ["sha512", "HMAC-SHA512", "Hmac-Sha512"] {
        let out = verify(old);
        assert_eq!(out.status.code(), Some(2), "{old}");
        assert!(
            stderr(&out).contains("hmac-sha512"),
            "{old}: {}",
            stderr(&out)
        );
    }
}

/// The README's `request explain` example, run as written with this binary first on PATH.
#[test]
fn readme_request_explain_block_runs() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let start = readme
        .find("```sh\n# request explain:")
        .expect("the README's request explain example");
    let block = &readme[start + "```sh\n".len()..];
    let block = &block[..block.find("```").unwrap()];
    let dir = TempDir::new("readme");
    let bin_dir = std::path::Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", block])
        .current_dir(&dir.0)
        .env("PATH", path)
        .env_remove("COUNTERMARK_SECRET")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(text.contains("verdict: bad_signature\n"), "{text}");
    assert!(text.contains("\nstring_to_sign:\n"), "{text}");
    assert_eq!(text.matches("exit 1 (refused)").count(), 2, "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.0.join("explanation.json")).unwrap()).unwrap();
    assert_eq!(json["verdict"], "bad_signature");
    assert_eq!(json["scheme"], "hmac");
}

#[test]
fn request_explain_rfc9421_with_a_public_key() {
    use countermark::http::message_signatures::{Component, HttpSignatureAlgorithm, MessageSigner};
    let dir = TempDir::new("explain-asym");
    let private = countermark::SigningKey::from_pem(TEST_ED25519_PEM).unwrap();
    let request = countermark::http::Request::new("GET", "https://api.example.com/me").unwrap();
    let signed = MessageSigner::asymmetric(private.clone(), HttpSignatureAlgorithm::Ed25519)
        .and_then(|s| s.with_key_id("alice-ed"))
        .and_then(|s| {
            s.with_components(
                ["@method", "@authority", "@path"]
                    .into_iter()
                    .map(|c| Component::parse(c).unwrap()),
            )
        })
        .and_then(|s| s.sign(&request))
        .unwrap();
    let raw = format!(
        "GET /me HTTP/1.1\nHost: api.example.com\nSignature-Input: {}\nSignature: {}\n\n",
        signed.signature_input(),
        signed.signature()
    );
    let file = dir.file("asym.http", raw.as_bytes());
    let public = dir.file("alice.pub.pem", private.verifying_key().to_pem().as_bytes());
    let out = request_explain(
        None,
        &[
            "rfc9421",
            "--json",
            "--public-key",
            public.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let json = explanation_json(&out);
    assert_eq!(json["verdict"], "valid");
    assert_eq!(json["algorithm"], "ed25519");
    assert_eq!(json["key_id"], "alice-ed");
    assert_eq!(json["string_to_sign"], signed.signature_base());
    assert!(json["expected_signature"].is_null());
    assert_eq!(json["signature_matches"], true);

    let other = dir.file("other.pub.pem", other_ed25519_public_pem().as_bytes());
    let out = request_explain(
        None,
        &[
            "rfc9421",
            "--json",
            "--public-key",
            other.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let json = explanation_json(&out);
    assert_eq!(
        (
            json["verdict"].as_str(),
            json["signature_matches"].as_bool()
        ),
        (Some("bad_signature"), Some(false))
    );
}
