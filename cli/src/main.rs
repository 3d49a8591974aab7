//! `countermark`: create and check handshake-format tokens and ska-format signed URLs, and sign HTTP requests,
//! from the shell.
//!
//! Exit codes: 0 valid / done, 1 the credential was refused or a request could not be signed (stderr names the
//! failure kind), 2 usage or configuration error (bad arguments, unreadable or unacceptable secret, unknown
//! algorithm).

#![forbid(unsafe_code)]

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use base64::Engine as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::sync::Arc;

use countermark::http::fost::{self, FostSigner};
use countermark::http::hmac_header::{self, ApiSecret, HmacHeaderSigner};
use countermark::http::message_signatures::{
    sign_with_default_coverage, MessagePolicy, MessageSigner, MessageVerifyingKey,
    UnverifiedMessageSignature,
};
use countermark::http::Request;
use countermark::jwt::{Token, UnverifiedJwt};
use countermark::signed::{Expiry, Extra, Quoter, UrlSigner, ValidUntil, ValueDumper};
use countermark::{
    Algorithm, Clock, Explanation, FixedClock, HmacKey, Secret, SigningKey, SystemClock, Tokens,
    VerifyingKey,
};
use zeroize::Zeroizing;

const MAIN_EXAMPLES: &str = "\
Examples:
  countermark keygen > secret && countermark token create --secret-file secret user 42 \\
    | countermark token verify --secret-file secret --max-age 300 -
  countermark url sign --secret-file secret --user alice --lifetime 600 --extra scope=read https://e.com/file
  countermark url verify --secret-file secret 'https://e.com/file?signature=...'

Secrets are read from --secret-file (the file's bytes, exactly) or --secret-env (a variable's bytes), never
from the command line. Exit codes: 0 valid, 1 refused (stderr names why), 2 usage or configuration error.";

const KEYGEN_HELP: &str = "\
The printed text itself is the secret: the other commands use a secret file's bytes exactly, so the 64 hex
characters of `countermark keygen > secret` are the key, used as they are. A trailing newline is printed only
when stdout is a terminal, so a redirected secret never ends with one.

Examples:
  countermark keygen > secret                     # 32 random bytes as hex: a 64-byte secret file
  countermark keygen --bytes 64 --format base64 > secret";

const TOKEN_HELP: &str = "\
Examples:
  countermark token create --secret-file secret user 42
  countermark token create --secret-file secret user 42 | countermark token verify --secret-file secret -";

const TOKEN_CREATE_HELP: &str = "\
Examples:
  countermark token create --secret-file secret user 42          # user:42:<timestamp>:<random>:<hmac>
  countermark token create --secret-env API_SECRET --algorithm hmac-sha512 service-a";

const TOKEN_VERIFY_HELP: &str = "\
Exit status 1 when the token is refused; stderr names the failure kind (bad_signature, expired, not_yet_valid,
malformed, too_large).

Examples:
  countermark token verify --secret-file secret --max-age 300 TOKEN
  countermark token create --secret-file secret user 42 | countermark token verify --secret-file secret -
  countermark token verify --secret-file secret --json TOKEN      # [\"user\",\"42\"]";

const URL_HELP: &str = "\
Only the user, the expiry and the --extra items are signed; the URL's host, path and other query parameters
are not (a property of the ska format).

Examples:
  countermark url sign --secret-file secret --user alice --extra scope=read https://e.com/report.pdf
  countermark url verify --secret-file secret 'https://e.com/report.pdf?signature=...'";

const URL_SIGN_HELP: &str = "\
Only the user, the expiry and the --extra items are signed; the URL's host, path and other query parameters
are not (a property of the ska format). Secrets shorter than 16 bytes are accepted for existing ska deployments,
with a warning.

Examples:
  countermark url sign --secret-file secret --user alice --lifetime 600 --extra scope=read https://e.com/report.pdf
  countermark url sign --secret-file secret --user bob --valid-until 1700000600.0 https://e.com/api/";

const URL_VERIFY_HELP: &str = "\
Exit status 1 when the URL is refused; stderr gives every reason (bad_signature, expired, malformed).

Examples:
  countermark url verify --secret-file secret 'https://e.com/report.pdf?signature=...'
  countermark url verify --secret-file secret --algorithm hmac-sha256 --json \"$URL\"
  countermark url verify --secret-file secret --algorithm hmac-md5 --quoter javascript \"$URL\"   # ska's JavaScript port";

const REQUEST_HELP: &str = "\
Examples:
  countermark request sign rfc9421 --key-id client-1 --method GET --url 'https://api.example.com/v1/items?page=2'
  countermark request sign jwt --user alice --private-key-file alice.pem --method GET --url https://e.com/me
  countermark request explain hmac captured-request.http       # why was it refused?
The shared secret comes from COUNTERMARK_SECRET only: export COUNTERMARK_SECRET=\"$(countermark keygen --format base64)\"";

const REQUEST_SIGN_HELP: &str = "\
Prints the header lines to add to the request, one `Name: value` per line, and nothing else:
  hmac     Authorization: HMAC-SHA256 <key-id>;<signature>;<utc>   (django-hmac-authentication; JSON and form
           bodies only, typed by --content-type)
  fost     Authorization: FOST <key-id>:<signature>, X-FOST-Timestamp, X-FOST-Headers (django-fost-authn;
           Content-Type is signed when --content-type is given)
  rfc9421  Content-Digest (when there is a body), Signature-Input and Signature: label sig1, hmac-sha256,
           keyid = --key-id, created = now, a random nonce, covering @method @authority @path, @query when the
           URL has a query, and content-digest when there is a body
  jwt      Authorization: JWT <token> (asymmetric-jwt-auth), signed with --private-key-file for --user
The request itself must be sent with the same method, URL and body, and with `Content-Type: CT` when
--content-type is given (it is not printed).

The shared secret is read from the environment variable COUNTERMARK_SECRET only, never from the command line: the
base64 text of 32 random bytes. hmac and rfc9421 use the decoded bytes as the HMAC key; fost uses the UTF-8
bytes of the base64 text itself. jwt does not use it.

--key-id is required for hmac, fost and rfc9421 and ignored for jwt; --user and --private-key-file are required
for jwt and ignored otherwise. An empty or missing --body-file means no body.

Exit codes: 0 signed, 1 the request could not be signed (stderr says why), 2 usage or configuration error.

Examples:
  countermark request sign hmac --key-id k1 --method POST --url https://api.example.com/items \\
    --body-file body.json --content-type application/json
  countermark request sign jwt --user alice --private-key-file alice.pem --method GET --url https://e.com/me
  export COUNTERMARK_SECRET=\"$(countermark keygen --format base64)\"   # first, for hmac, fost and rfc9421";

const REQUEST_EXPLAIN_HELP: &str = "\
Reads a raw HTTP/1.1 request (request line, header lines, a blank line, then the body; lines end with CRLF or
LF) from FILE, or from stdin with `-`, verifies it as the server does and prints each step: the verdict (valid,
or the reason a server gives: bad_signature, expired, not_yet_valid, malformed, unsupported_algorithm, ...), the
string to sign (signature base) built from the request as received, the headers or components it covers, the
time-window verdict, the signature received and, for shared-secret schemes, the signature expected. The key
itself is never printed. No nonce store is consulted, so replays are not detected.

The body is every byte after the blank line (a Content-Length header must match it). An origin-form target
(`POST /items HTTP/1.1`) takes its authority from Host and its scheme from --url-scheme.

Keys: hmac, fost, fost-url and rfc9421 read the shared secret from COUNTERMARK_SECRET as `request sign` does
(hmac and rfc9421 use the decoded bytes, fost the base64 text); jwt, and rfc9421 signed with a private key, read
the PEM public key of --public-key instead. Policies are the core's defaults (RFC 9421: created and keyid
required, the body checked against Content-Digest when there is one).

Exit codes: 0 valid, 1 refused (the explanation says why), 2 usage or configuration error.

Examples:
  countermark request explain hmac request.http
  countermark request explain rfc9421 --json --at 1700000000 - < request.http
  countermark request explain jwt --public-key alice.pub.pem request.http";

/// The environment variable `request sign` reads the shared secret from.
const SIGNING_SECRET_ENV: &str = "COUNTERMARK_SECRET";

#[derive(Parser)]
#[command(
    name = "countermark",
    version,
    about = "Service-to-service API authentication: keys, tokens, signed URLs.",
    after_help = MAIN_EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a fresh random secret.
    #[command(after_help = KEYGEN_HELP)]
    Keygen(KeygenArgs),
    /// Create and verify handshake-format tokens (`field:…:timestamp:random:signature`).
    #[command(subcommand, after_help = TOKEN_HELP)]
    Token(TokenCommand),
    /// Sign and verify ska-format signed URLs.
    #[command(subcommand, after_help = URL_HELP)]
    Url(UrlCommand),
    /// Sign HTTP requests: HMAC header, FOST, RFC 9421 message signatures, asymmetric JWTs.
    #[command(subcommand, after_help = REQUEST_HELP)]
    Request(RequestCommand),
}

#[derive(Subcommand)]
enum RequestCommand {
    /// Sign a request with SCHEME and print the header lines to add to it.
    #[command(after_help = REQUEST_SIGN_HELP)]
    Sign(RequestSignArgs),
    /// Verify a raw HTTP request read from FILE (or `-`) with SCHEME and explain every step.
    #[command(after_help = REQUEST_EXPLAIN_HELP)]
    Explain(RequestExplainArgs),
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token carrying FIELDs (each of a-z A-Z 0-9 _ -) and print it.
    #[command(after_help = TOKEN_CREATE_HELP)]
    Create(TokenCreateArgs),
    /// Verify a token and print its fields, one per line.
    #[command(after_help = TOKEN_VERIFY_HELP)]
    Verify(TokenVerifyArgs),
}

#[derive(Subcommand)]
enum UrlCommand {
    /// Sign URL for USER and print the signed URL.
    #[command(after_help = URL_SIGN_HELP)]
    Sign(UrlSignArgs),
    /// Verify a signed URL and print the signed user, expiry and extra data.
    #[command(after_help = URL_VERIFY_HELP)]
    Verify(UrlVerifyArgs),
}

#[derive(Args)]
struct KeygenArgs {
    /// Number of random bytes (16..=1024).
    #[arg(long, default_value_t = 32)]
    bytes: usize,
    /// Encoding of the printed secret.
    #[arg(long, value_enum, default_value_t = Format::Hex)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Hex,
    Base64,
}

/// Where the secret comes from: exactly one of the two.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct SecretSource {
    /// File holding the secret (its bytes are used exactly, a trailing newline included).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
    /// Environment variable holding the secret.
    #[arg(long, value_name = "VAR")]
    secret_env: Option<String>,
}

#[derive(Args)]
struct TokenCreateArgs {
    #[command(flatten)]
    secret: SecretSource,
    /// HMAC algorithm: hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224, hmac-sha1, hmac-blake2s,
    /// hmac-blake2b.
    #[arg(long, value_name = "ALGORITHM", default_value = "hmac-sha256", value_parser = parse_alg)]
    algorithm: Algorithm,
    /// The fields the token carries.
    fields: Vec<String>,
}

#[derive(Args)]
struct TokenVerifyArgs {
    #[command(flatten)]
    secret: SecretSource,
    /// HMAC algorithm the token was made with (hmac-sha256, ...).
    #[arg(long, value_name = "ALGORITHM", default_value = "hmac-sha256", value_parser = parse_alg)]
    algorithm: Algorithm,
    /// Accept only tokens created within this many seconds of now (either side). Without it, tokens never
    /// expire.
    #[arg(long, value_name = "SECONDS")]
    max_age: Option<u64>,
    /// Print the fields as a JSON array.
    #[arg(long)]
    json: bool,
    /// The token, or `-` (the default) to read it from stdin.
    #[arg(default_value = "-")]
    token: String,
}

#[derive(Args)]
struct UrlSignArgs {
    #[command(flatten)]
    secret: SecretSource,
    /// The user the URL is signed for (ska's auth_user).
    #[arg(long)]
    user: String,
    /// HMAC algorithm: hmac-sha1 (ska's default), hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512,
    /// hmac-blake2s, hmac-blake2b, or hmac-md5 (legacy: ska's HMACMD5Signature, signs only when named here; prefer
    /// hmac-sha256 for new links).
    #[arg(long, value_name = "ALGORITHM", default_value = "hmac-sha1", value_parser = parse_alg)]
    algorithm: Algorithm,
    #[command(flatten)]
    helpers: SkaHelpers,
    /// Seconds the URL stays valid.
    #[arg(long, default_value_t = countermark::signed::DEFAULT_LIFETIME.as_secs(), conflicts_with = "valid_until")]
    lifetime: u64,
    /// Exact expiry (Unix seconds, signed as written, e.g. 1700000600.0).
    #[arg(long, value_name = "UNIX_SECONDS")]
    valid_until: Option<String>,
    /// Extra data to sign, as KEY=VALUE (repeatable; values are strings).
    #[arg(long = "extra", value_name = "KEY=VALUE", value_parser = parse_extra)]
    extras: Vec<(String, String)>,
    /// The URL to sign.
    url: String,
}

#[derive(Args)]
struct UrlVerifyArgs {
    #[command(flatten)]
    secret: SecretSource,
    /// HMAC algorithm the URL was signed with (hmac-md5 for links of ska's legacy HMACMD5Signature).
    #[arg(long, value_name = "ALGORITHM", default_value = "hmac-sha1", value_parser = parse_alg)]
    algorithm: Algorithm,
    #[command(flatten)]
    helpers: SkaHelpers,
    /// Print a JSON object: {"auth_user": …, "valid_until": …, "extra": {…}}.
    #[arg(long)]
    json: bool,
    /// The signed URL.
    url: String,
}

/// ska's value dumper and quoter: its defaults, or the JavaScript helpers its JavaScript port signs with.
#[derive(Args)]
struct SkaHelpers {
    /// How extra values become text: python (ska's default_value_dumper) or javascript
    /// (javascript_value_dumper). Without it, ska's default.
    #[arg(long, value_name = "python|javascript", value_parser = parse_value_dumper)]
    value_dumper: Option<ValueDumper>,
    /// How the extra data is quoted into the signed text: python (ska's default_quoter) or javascript
    /// (javascript_quoter, for links made by ska's JavaScript port). Without it, ska's default.
    #[arg(long, value_name = "python|javascript", value_parser = parse_quoter)]
    quoter: Option<Quoter>,
}

impl SkaHelpers {
    fn apply(&self, mut signer: UrlSigner) -> UrlSigner {
        if let Some(d) = self.value_dumper {
            signer = signer.with_value_dumper(d);
        }
        if let Some(q) = self.quoter {
            signer = signer.with_quoter(q);
        }
        signer
    }
}

fn parse_value_dumper(s: &str) -> Result<ValueDumper, String> {
    s.parse().map_err(|e: countermark::Error| e.to_string())
}

fn parse_quoter(s: &str) -> Result<Quoter, String> {
    s.parse().map_err(|e: countermark::Error| e.to_string())
}

/// The request-signing schemes of `request sign`.
#[derive(Clone, Copy, ValueEnum)]
enum Scheme {
    /// django-hmac-authentication: `Authorization: HMAC-SHA256 key;signature;utc`.
    Hmac,
    /// django-fost-authn: `Authorization: FOST key:signature`.
    Fost,
    /// RFC 9421 HTTP Message Signatures (hmac-sha256) with an RFC 9530 Content-Digest.
    Rfc9421,
    /// asymmetric-jwt-auth: `Authorization: JWT <token>`.
    Jwt,
}

#[derive(Args)]
struct RequestSignArgs {
    /// The signing scheme.
    #[arg(value_enum)]
    scheme: Scheme,
    /// The key id the server looks the secret up by (hmac, fost, rfc9421).
    #[arg(long, value_name = "ID")]
    key_id: Option<String>,
    /// The request method.
    #[arg(long, value_name = "M")]
    method: String,
    /// The absolute request URL (http:// or https://): scheme, authority, path and query.
    #[arg(long, value_name = "URL")]
    url: String,
    /// File holding the request body (its bytes, exactly); without it the request has no body.
    #[arg(long, value_name = "F")]
    body_file: Option<PathBuf>,
    /// The request's Content-Type (hmac reads the body by it; fost signs it).
    #[arg(long, value_name = "CT")]
    content_type: Option<String>,
    /// The user the JWT is made for (jwt).
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// PEM file with the private key (Ed25519 or RSA) that signs the JWT (jwt).
    #[arg(long, value_name = "PEM")]
    private_key_file: Option<PathBuf>,
}

/// An HMAC algorithm in its one spelling (`hmac-sha256`); `sha256` and `HMAC-SHA256` are refused.
fn parse_alg(s: &str) -> Result<Algorithm, String> {
    Algorithm::HMAC
        .into_iter()
        .find(|a| a.name() == s)
        .ok_or_else(|| {
            let names: Vec<&str> = Algorithm::HMAC.iter().map(|a| a.name()).collect();
            format!("unknown algorithm {s:?}: use one of {}", names.join(", "))
        })
}

/// The schemes `request explain` explains: those of `request sign`, and FOST signed URLs.
#[derive(Clone, Copy, ValueEnum)]
enum ExplainScheme {
    /// django-hmac-authentication: `Authorization: HMAC-SHA256 key;signature;utc`.
    Hmac,
    /// django-fost-authn: `Authorization: FOST key:signature`.
    Fost,
    /// django-fost-authn signed URLs (`_k`, `_e`, `_s` query parameters).
    FostUrl,
    /// RFC 9421 HTTP Message Signatures.
    Rfc9421,
    /// asymmetric-jwt-auth: `Authorization: JWT <token>`.
    Jwt,
}

impl ExplainScheme {
    /// The name the explanation carries (`Explanation::scheme`).
    fn name(self) -> &'static str {
        match self {
            ExplainScheme::Hmac => "hmac",
            ExplainScheme::Fost => "fost",
            ExplainScheme::FostUrl => "fost-url",
            ExplainScheme::Rfc9421 => "rfc9421",
            ExplainScheme::Jwt => "jwt",
        }
    }
}

/// The scheme of an origin-form request target.
#[derive(Clone, Copy, ValueEnum)]
enum UrlScheme {
    Https,
    Http,
}

#[derive(Args)]
struct RequestExplainArgs {
    /// The scheme the request is verified with.
    #[arg(value_enum)]
    scheme: ExplainScheme,
    /// File holding the raw HTTP/1.1 request, or `-` for stdin.
    file: String,
    /// Print one JSON object (scheme, verdict, message, algorithm, key_id, string_to_sign, components,
    /// time_window, created, expires, received_signature, expected_signature, signature_matches, replay_checked).
    #[arg(long)]
    json: bool,
    /// PEM file with the public key (jwt; rfc9421 signed with a private key).
    #[arg(long, value_name = "PEM")]
    public_key: Option<PathBuf>,
    /// Verify as of this time (Unix seconds) instead of now: for a request captured earlier.
    #[arg(long, value_name = "UNIX_SECONDS")]
    at: Option<i64>,
    /// The scheme the request was received over, for an origin-form target.
    #[arg(long, value_enum, default_value_t = UrlScheme::Https)]
    url_scheme: UrlScheme,
}

fn parse_extra(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| "expected KEY=VALUE".to_string())
}

/// Why a command did not succeed. Messages never hold secret bytes.
enum CliError {
    /// The credential was refused: exit 1.
    Refused(String),
    /// Usage or configuration error: exit 2.
    Config(String),
    /// The operation failed on valid arguments (a request the scheme cannot sign): exit 1.
    Failed(String),
}

impl CliError {
    fn config(context: &str, e: impl std::fmt::Display) -> Self {
        CliError::Config(format!("{context}: {e}"))
    }

    fn failed(context: &str, e: impl std::fmt::Display) -> Self {
        CliError::Failed(format!("{context}: {e}"))
    }
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Keygen(args) => keygen(&args),
        Command::Token(TokenCommand::Create(args)) => token_create(&args),
        Command::Token(TokenCommand::Verify(args)) => token_verify(&args),
        Command::Url(UrlCommand::Sign(args)) => url_sign(&args),
        Command::Url(UrlCommand::Verify(args)) => url_verify(&args),
        Command::Request(RequestCommand::Sign(args)) => request_sign(&args),
        Command::Request(RequestCommand::Explain(args)) => request_explain(&args),
    };
    // The one place errors become exit codes.
    let (code, msg) = match result {
        Ok(()) => return ExitCode::SUCCESS,
        Err(CliError::Refused(msg) | CliError::Failed(msg)) => (1, msg),
        Err(CliError::Config(msg)) => (2, msg),
    };
    eprintln!("countermark: {msg}");
    ExitCode::from(code)
}

fn keygen(args: &KeygenArgs) -> Result<(), CliError> {
    let secret = Secret::generate(args.bytes).map_err(|e| CliError::config("--bytes", e))?;
    let text = Zeroizing::new(match args.format {
        Format::Hex => secret
            .expose()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
        Format::Base64 => base64::engine::general_purpose::STANDARD.encode(secret.expose()),
    });
    let mut out = std::io::stdout().lock();
    let newline = if out.is_terminal() { "\n" } else { "" };
    write!(out, "{}{newline}", text.as_str())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::config("cannot write to stdout", e))
}

fn token_create(args: &TokenCreateArgs) -> Result<(), CliError> {
    // handshake allows a token without fields (it starts with ':'), but on the command line no field is a
    // forgotten argument far more often than a wish: ask for one.
    if args.fields.is_empty() {
        return Err(CliError::Config(
            "give at least one FIELD (a token with no fields carries nothing but its time)".into(),
        ));
    }
    let tokens = Tokens::new(hmac_key(args.algorithm, &args.secret, false)?);
    let token = tokens
        .create(&args.fields)
        .map_err(|e| CliError::config("cannot create the token", e))?;
    print_lines([token])
}

fn token_verify(args: &TokenVerifyArgs) -> Result<(), CliError> {
    let tokens = Tokens::new(hmac_key(args.algorithm, &args.secret, false)?);
    let stdin_token;
    let token = if args.token == "-" {
        stdin_token = read_stdin_token()?;
        &stdin_token
    } else {
        &args.token
    };
    let verified = tokens
        .verify(token, args.max_age.map(std::time::Duration::from_secs))
        .map_err(|e| CliError::Refused(format!("token rejected: {e}")))?;
    if args.json {
        print_lines([serde_json::Value::from(verified.into_fields()).to_string()])
    } else {
        print_lines(verified.into_fields())
    }
}

fn url_sign(args: &UrlSignArgs) -> Result<(), CliError> {
    if args.algorithm.is_legacy() {
        eprintln!(
            "countermark: warning: {} is a legacy algorithm, kept for existing links; sign new links with hmac-sha256",
            args.algorithm
        );
    }
    let signer = args.helpers.apply(UrlSigner::new(hmac_key(
        args.algorithm,
        &args.secret,
        true,
    )?));
    let mut extra = Extra::new();
    for (k, v) in &args.extras {
        if extra.get(k).is_some() {
            return Err(CliError::Config(format!("--extra: key {k:?} given twice")));
        }
        extra
            .insert(k.as_str(), v.as_str())
            .map_err(|e| CliError::config("--extra", e))?;
    }
    let expiry = match &args.valid_until {
        Some(v) => Expiry::At(ValidUntil::Text(v.clone())),
        None => Expiry::Lifetime(std::time::Duration::from_secs(args.lifetime)),
    };
    let signed = signer
        .sign_url(&args.url, &args.user, expiry, &extra)
        .map_err(|e| CliError::config("cannot sign the URL", e))?;
    print_lines([signed])
}

fn url_verify(args: &UrlVerifyArgs) -> Result<(), CliError> {
    let signer = args.helpers.apply(UrlSigner::new(hmac_key(
        args.algorithm,
        &args.secret,
        true,
    )?));
    let data = signer.validate_url(&args.url).map_err(|rejection| {
        let kinds: Vec<&str> = rejection
            .failures()
            .iter()
            .map(|f| f.kind().as_str())
            .collect();
        CliError::Refused(format!(
            "URL rejected: {}: {}",
            kinds.join(", "),
            rejection.message()
        ))
    })?;
    if args.json {
        let extra: serde_json::Map<String, serde_json::Value> = data
            .extra()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        let out = serde_json::json!({
            "auth_user": data.auth_user(),
            "valid_until": data.valid_until(),
            "extra": extra,
        });
        print_lines([out.to_string()])
    } else {
        let head = [
            format!("auth_user: {}", data.auth_user()),
            format!("valid_until: {}", data.valid_until()),
        ];
        let extra = data.extra().iter().map(|(k, v)| format!("{k}: {v}"));
        print_lines(head.into_iter().chain(extra))
    }
}

fn request_sign(args: &RequestSignArgs) -> Result<(), CliError> {
    let url = args.url.as_str();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(CliError::Config(
            "--url: must be an absolute http:// or https:// URL".into(),
        ));
    }
    let body = match &args.body_file {
        Some(path) => std::fs::read(path)
            .map_err(|e| CliError::config(&format!("cannot read {}", path.display()), e))?,
        None => Vec::new(),
    };
    let mut request =
        Request::new(&args.method, url).map_err(|e| CliError::config("--method/--url", e))?;
    if let Some(content_type) = &args.content_type {
        request = request
            .with_header("Content-Type", content_type)
            .map_err(|e| CliError::config("--content-type", e))?;
    }
    if !body.is_empty() {
        request = request.with_body(&body);
    }
    let lines = match args.scheme {
        Scheme::Hmac => {
            let key_id = required(&args.key_id, "--key-id", "hmac")?;
            let key = signing_secret()?
                .key(Algorithm::HmacSha256)
                .map_err(|e| CliError::config(SIGNING_SECRET_ENV, e))?;
            let signed = HmacHeaderSigner::new(key_id, key)
                .map_err(|e| CliError::config("--key-id", e))?
                .sign_request(&request)
                .map_err(|e| CliError::failed("cannot sign the request", e))?;
            vec![format!("Authorization: {}", signed.authorization())]
        }
        Scheme::Fost => {
            let key_id = required(&args.key_id, "--key-id", "fost")?;
            let key = signing_secret()?
                .fost_key()
                .map_err(|e| CliError::config(SIGNING_SECRET_ENV, e))?;
            let headers: &[&str] = if args.content_type.is_some() {
                &["Content-Type"]
            } else {
                &[]
            };
            let signed = FostSigner::new(key_id, key)
                .map_err(|e| CliError::config("--key-id", e))?
                .sign(&request, headers)
                .map_err(|e| CliError::failed("cannot sign the request", e))?;
            signed
                .headers()
                .iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .collect()
        }
        Scheme::Rfc9421 => {
            let key_id = required(&args.key_id, "--key-id", "rfc9421")?;
            let key = signing_secret()?.message_signature_key();
            let signer = MessageSigner::hmac(key.clone())
                .and_then(|signer| signer.with_label("sig1"))
                .and_then(|signer| signer.with_key_id(key_id))
                .map_err(|e| CliError::config("--key-id", e))?
                .with_random_nonces();
            let signed = sign_with_default_coverage(&signer, &request)
                .map_err(|e| CliError::failed("cannot sign the request", e))?;
            signed
                .header_lines()
                .into_iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .collect()
        }
        Scheme::Jwt => {
            let user = required(&args.user, "--user", "jwt")?;
            let path = required(&args.private_key_file, "--private-key-file", "jwt")?;
            let pem =
                Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                    CliError::config(&format!("cannot read {}", path.display()), e)
                })?);
            let key = SigningKey::from_pem(&pem)
                .map_err(|e| CliError::config("--private-key-file", e))?;
            let authorization = Token::new(user.as_str(), &SystemClock)
                .and_then(|token| token.authorization(&key))
                .map_err(|e| CliError::failed("cannot sign the JWT", e))?;
            vec![format!("Authorization: {authorization}")]
        }
    };
    print_lines(lines)
}

/// The most bytes `request explain` reads: the largest head the core accepts and a 64 MiB body.
const MAX_RAW_REQUEST: usize = countermark::http::raw::MAX_HEAD_LEN + 64 * 1024 * 1024;

fn request_explain(args: &RequestExplainArgs) -> Result<(), CliError> {
    let raw = read_raw_request(&args.file)?;
    let clock: Arc<dyn Clock> = match args.at {
        Some(secs) => Arc::new(FixedClock::at_secs(secs)),
        None => Arc::new(SystemClock),
    };
    let scheme = args.scheme.name();
    // Keys come first: a missing secret is a usage error whatever the request holds.
    let key = ExplainKey::load(args)?;
    let explanation = match raw_request(&raw, args.url_scheme) {
        Err(e) => Explanation::refused_at_parse(scheme, e),
        Ok(request) => explain(args.scheme, &request, &key, clock)
            .unwrap_or_else(|e| Explanation::refused_at_parse(scheme, e)),
    };
    if args.json {
        print_lines([explanation.to_json()])?;
    } else {
        print_lines([explanation.to_text().trim_end()])?;
    }
    match explanation.error() {
        None => Ok(()),
        Some(e) => Err(CliError::Refused(format!("request refused: {e}"))),
    }
}

/// The raw request from a file or stdin, at most `MAX_RAW_REQUEST` bytes.
fn read_raw_request(file: &str) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    let limit = MAX_RAW_REQUEST as u64 + 1;
    let read = if file == "-" {
        std::io::stdin().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|e| CliError::config(&format!("cannot read {file}"), e))?;
    if bytes.len() > MAX_RAW_REQUEST {
        return Err(CliError::Refused(format!(
            "request refused: too_large: more than {MAX_RAW_REQUEST} bytes"
        )));
    }
    Ok(bytes)
}

/// The core's view of the raw request; an origin-form target gets `url_scheme` and its `Host`.
fn raw_request(raw: &[u8], url_scheme: UrlScheme) -> countermark::Result<Request<'_>> {
    let request = countermark::http::raw::parse_request(raw)?;
    if !request.scheme().is_empty() {
        return Ok(request);
    }
    let scheme = match url_scheme {
        UrlScheme::Https => "https",
        UrlScheme::Http => "http",
    };
    let host = request.authority();
    Ok(request.with_authority(scheme, host))
}

/// The key `request explain` verifies with, built before the request is read: a key that cannot be built is a
/// usage error (exit 2), not a refusal.
enum ExplainKey {
    /// hmac: the API secret (its decoded bytes).
    ApiSecret(Box<ApiSecret>),
    /// fost, fost-url: HMAC-SHA1 over the base64 text itself.
    Fost(Box<HmacKey>),
    /// rfc9421 with the shared secret: hmac-sha256 over the decoded bytes.
    Rfc9421Hmac(MessageVerifyingKey),
    /// jwt, rfc9421 with --public-key.
    Public(VerifyingKey),
}

impl ExplainKey {
    fn load(args: &RequestExplainArgs) -> Result<Self, CliError> {
        if let Some(path) = &args.public_key {
            if !matches!(args.scheme, ExplainScheme::Jwt | ExplainScheme::Rfc9421) {
                return Err(CliError::Config(format!(
                    "--public-key is for jwt and rfc9421; {} uses {SIGNING_SECRET_ENV}",
                    args.scheme.name()
                )));
            }
            let pem = std::fs::read_to_string(path)
                .map_err(|e| CliError::config(&format!("cannot read {}", path.display()), e))?;
            return VerifyingKey::from_pem(&pem)
                .map(ExplainKey::Public)
                .map_err(|e| CliError::config("--public-key", e));
        }
        let secret_error = |e| CliError::config(SIGNING_SECRET_ENV, e);
        Ok(match args.scheme {
            ExplainScheme::Jwt => {
                return Err(CliError::Config("--public-key is required for jwt".into()))
            }
            ExplainScheme::Hmac => ExplainKey::ApiSecret(Box::new(signing_secret()?)),
            ExplainScheme::Fost | ExplainScheme::FostUrl => ExplainKey::Fost(Box::new(
                signing_secret()?.fost_key().map_err(secret_error)?,
            )),
            ExplainScheme::Rfc9421 => ExplainKey::Rfc9421Hmac(
                MessageVerifyingKey::hmac(signing_secret()?.message_signature_key())
                    .map_err(secret_error)?,
            ),
        })
    }
}

/// Reads the scheme's credentials from `request` and explains their verification with `key` (which
/// `ExplainKey::load` built for this scheme).
fn explain(
    scheme: ExplainScheme,
    request: &Request<'_>,
    key: &ExplainKey,
    clock: Arc<dyn Clock>,
) -> countermark::Result<Explanation> {
    let none = || {
        countermark::Error::new(
            countermark::ErrorKind::Malformed,
            format!("the request carries no {} credentials", scheme.name()),
        )
    };
    Ok(match (scheme, key) {
        (ExplainScheme::Hmac, ExplainKey::ApiSecret(secret)) => hmac_header::parse(request)?
            .ok_or_else(none)?
            .explain(Some(secret), &hmac_header::Policy::new(clock)),
        (ExplainScheme::Fost, ExplainKey::Fost(key)) => fost::parse(request)?
            .ok_or_else(none)?
            .explain(Some(key), &fost::Policy::new(clock)),
        (ExplainScheme::FostUrl, ExplainKey::Fost(key)) => fost::parse_url(request)?
            .ok_or_else(none)?
            .explain(Some(key), &fost::Policy::new(clock)),
        (ExplainScheme::Rfc9421, key) => {
            let parsed = UnverifiedMessageSignature::parse(request, None)?.ok_or_else(none)?;
            let key = match key {
                ExplainKey::Public(public) => {
                    rfc9421_public_key(public, parsed.claimed_algorithm())?
                }
                ExplainKey::Rfc9421Hmac(key) => key.clone(),
                _ => return Err(none()),
            };
            // As the Django app checks it: a non-empty body must be covered and match its Content-Digest.
            let policy = MessagePolicy::new()
                .with_clock(clock)
                .require_body_digest(true);
            parsed.explain(Some(&key), &policy)
        }
        (ExplainScheme::Jwt, ExplainKey::Public(public)) => UnverifiedJwt::from_request(request)?
            .ok_or_else(none)?
            .explain(
                Some(public),
                &countermark::jwt::Policy::new().with_clock(clock),
            ),
        // `ExplainKey::load` builds the key of the scheme it was given.
        _ => return Err(none()),
    })
}

/// The RFC 9421 key for a public key: the signature's `alg` when it names one, else the core's algorithm for
/// the key ([`MessageVerifyingKey::for_public_key`]).
fn rfc9421_public_key(
    public: &VerifyingKey,
    claimed: Option<&str>,
) -> countermark::Result<MessageVerifyingKey> {
    match claimed {
        Some(alg) => MessageVerifyingKey::public(public.clone(), alg.parse()?),
        None => MessageVerifyingKey::for_public_key(public.clone()),
    }
}

/// The value of an option `scheme` needs, or a usage error naming it.
fn required<'a, T>(value: &'a Option<T>, option: &str, scheme: &str) -> Result<&'a T, CliError> {
    value
        .as_ref()
        .ok_or_else(|| CliError::Config(format!("{option} is required for {scheme}")))
}

/// The shared secret of `request sign`, from `COUNTERMARK_SECRET`, read strictly
/// ([`ApiSecret::from_base64_strict`]: standard padded base64 of 16 to 1024 bytes, no whitespace); each scheme
/// derives its own key from it.
fn signing_secret() -> Result<ApiSecret, CliError> {
    let text = Zeroizing::new(std::env::var(SIGNING_SECRET_ENV).map_err(|e| {
        CliError::Config(match e {
            std::env::VarError::NotPresent => {
                format!("{SIGNING_SECRET_ENV} is not set (the base64 text of 32 random bytes)")
            }
            std::env::VarError::NotUnicode(_) => format!("{SIGNING_SECRET_ENV} is not base64 text"),
        })
    })?);
    ApiSecret::from_base64_strict(&text).map_err(|e| CliError::config(SIGNING_SECRET_ENV, e))
}

/// Reads the secret and builds the key. `legacy` allows ska's short secrets (with a warning).
fn hmac_key(alg: Algorithm, source: &SecretSource, legacy: bool) -> Result<HmacKey, CliError> {
    let bytes = read_secret(source)?;
    if bytes.len() > Secret::MAX_LEN {
        return Err(CliError::Config(format!(
            "secret: longer than {} bytes",
            Secret::MAX_LEN
        )));
    }
    if bytes.ends_with(b"\n") {
        eprintln!("countermark: warning: the secret ends with a newline, which is part of the key");
    }
    if legacy && !bytes.is_empty() && bytes.len() < Secret::MIN_LEN {
        eprintln!(
            "countermark: warning: the secret is only {} bytes; use {} or more for new deployments",
            bytes.len(),
            Secret::MIN_LEN
        );
    }
    // The buffer moves into the `Secret` (which wipes it on drop) without a copy.
    let secret = if legacy {
        Secret::legacy(bytes)
    } else {
        Secret::new(bytes)
    }
    .map_err(|e| CliError::config("secret", e))?;
    Ok(HmacKey::new(alg, &secret))
}

/// The secret's bytes, exactly; at most `Secret::MAX_LEN + 1` of them are read, so the length check fails
/// cleanly on huge files or devices.
fn read_secret(source: &SecretSource) -> Result<Vec<u8>, CliError> {
    match (&source.secret_file, &source.secret_env) {
        (Some(path), _) => {
            let limit = Secret::MAX_LEN + 1;
            // Wiped if reading fails half-way; moved out (not copied) when it succeeds.
            let mut bytes = Zeroizing::new(Vec::with_capacity(limit));
            std::fs::File::open(path)
                .and_then(|f| f.take(limit as u64).read_to_end(&mut bytes))
                .map_err(|e| CliError::config(&format!("cannot read {}", path.display()), e))?;
            Ok(std::mem::take(&mut *bytes))
        }
        (None, Some(var)) => std::env::var_os(var)
            .map(std::ffi::OsString::into_encoded_bytes)
            .ok_or_else(|| CliError::Config(format!("environment variable {var} is not set"))),
        (None, None) => Err(CliError::Config(
            "give --secret-file or --secret-env".into(),
        )),
    }
}

/// The token on stdin, trailing whitespace removed. Tokens are at most 2048 characters, so 64 KiB is plenty;
/// anything longer is refused by `verify` as too large.
fn read_stdin_token() -> Result<String, CliError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::config("cannot read the token from stdin", e))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::Refused("token rejected: malformed: the token is not UTF-8".into())
    })?;
    Ok(text.trim_end().to_string())
}

fn print_lines<S: AsRef<str>>(lines: impl IntoIterator<Item = S>) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    lines
        .into_iter()
        .try_for_each(|line| writeln!(out, "{}", line.as_ref()))
        .and_then(|()| out.flush())
        .map_err(|e| CliError::config("cannot write to stdout", e))
}
