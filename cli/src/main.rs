//! `countermark`: create and check handshake-format tokens and ska-format signed URLs from the shell.
//!
//! Exit codes: 0 valid / done, 1 the credential was refused (stderr names the failure kind), 2 usage or
//! configuration error (bad arguments, unreadable or unacceptable secret, unknown algorithm).

#![forbid(unsafe_code)]

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use base64::Engine as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use countermark::{
    Algorithm, Error, Expiry, Extra, HmacKey, Secret, SystemClock, Tokens, UrlSigner, ValidUntil,
};
use zeroize::Zeroizing;

const MAIN_EXAMPLES: &str = "\
Examples:
  countermark keygen --format hex > secret
  countermark token create --secret-file secret user 42 \\
    | countermark token verify --secret-file secret --max-age 300 -
  countermark url sign --secret-file secret --user alice --lifetime 600 --extra scope=read https://e.com/file
  countermark url verify --secret-file secret 'https://e.com/file?signature=...'

Secrets are read from --secret-file (the file's bytes, exactly) or --secret-env (a variable's bytes), never
from the command line. Exit codes: 0 valid, 1 refused (stderr names why), 2 usage or configuration error.";

#[derive(Parser)]
#[command(
    name = "countermark",
    version,
    about = "Service-to-service API authentication: keys, tokens, signed URLs."
)]
#[command(after_help = MAIN_EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a fresh random secret.
    #[command(after_help = "\
The printed text is the secret: the other commands use a secret file's bytes exactly, so `countermark keygen >
secret` makes a usable secret file. A trailing newline is printed only when stdout is a terminal.

Examples:
  countermark keygen > secret                 # 32 random bytes, hex: a 64-byte secret file
  countermark keygen --bytes 64 --format base64")]
    Keygen {
        /// Number of random bytes (16..=1024).
        #[arg(long, default_value_t = 32)]
        bytes: usize,
        /// Encoding of the printed secret.
        #[arg(long, value_enum, default_value_t = Format::Hex)]
        format: Format,
    },
    /// Create and verify handshake-format tokens (`field:…:timestamp:random:signature`).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Sign and verify ska-format signed URLs.
    #[command(subcommand)]
    Url(UrlCommand),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Hex,
    Base64,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct SecretSource {
    /// File holding the secret (its bytes are used exactly, newline included if there is one).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
    /// Environment variable holding the secret.
    #[arg(long, value_name = "VAR")]
    secret_env: Option<String>,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token carrying FIELDs (each of a-z A-Z 0-9 _ -) and print it.
    #[command(after_help = "Example:\n  countermark token create --secret-file secret user 42")]
    Create {
        #[command(flatten)]
        secret: SecretSource,
        /// HMAC hash: sha256, sha384, sha512, sha224, sha1, blake2s, blake2b.
        #[arg(long, default_value = "sha256")]
        alg: String,
        /// The fields the token carries.
        fields: Vec<String>,
    },
    /// Verify a token and print its fields, one per line.
    #[command(after_help = "\
Examples:
  countermark token verify --secret-file secret --max-age 300 TOKEN
  countermark token create --secret-file secret user 42 | countermark token verify --secret-file secret -")]
    Verify {
        #[command(flatten)]
        secret: SecretSource,
        /// HMAC hash the token was made with.
        #[arg(long, default_value = "sha256")]
        alg: String,
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
    },
}

#[derive(Subcommand)]
enum UrlCommand {
    /// Sign URL for USER and print the signed URL.
    #[command(after_help = "\
Example:
  countermark url sign --secret-file secret --user alice --lifetime 600 --extra scope=read https://e.com/report.pdf

Only the user, the expiry and the --extra items are signed; the URL's host, path and other query parameters
are not (a property of the ska format).")]
    Sign {
        #[command(flatten)]
        secret: SecretSource,
        /// The user the URL is signed for (ska's auth_user).
        #[arg(long)]
        user: String,
        /// HMAC hash: sha1 (ska's default), sha224, sha256, sha384, sha512.
        #[arg(long, default_value = "sha1")]
        alg: String,
        /// Seconds the URL stays valid.
        #[arg(long, default_value_t = 600, conflicts_with = "valid_until")]
        lifetime: u64,
        /// Exact expiry (Unix seconds, signed as written, e.g. 1700000600.0).
        #[arg(long, value_name = "UNIX_SECONDS")]
        valid_until: Option<String>,
        /// Extra data to sign, as key=value (repeatable).
        #[arg(long = "extra", value_name = "KEY=VALUE")]
        extras: Vec<String>,
        /// The URL to sign.
        url: String,
    },
    /// Verify a signed URL and print the signed user, expiry and extra data.
    #[command(
        after_help = "Example:\n  countermark url verify --secret-file secret 'https://e.com/report.pdf?signature=...'"
    )]
    Verify {
        #[command(flatten)]
        secret: SecretSource,
        /// HMAC hash the URL was signed with.
        #[arg(long, default_value = "sha1")]
        alg: String,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
        /// The signed URL.
        url: String,
    },
}

/// Why the command did not succeed.
enum Failure {
    /// The credential was refused: exit 1.
    Refused(String),
    /// Usage or configuration error: exit 2.
    Config(String),
}

fn config(context: &str, e: impl std::fmt::Display) -> Failure {
    Failure::Config(format!("{context}: {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Refused(msg)) => {
            eprintln!("countermark: {msg}");
            ExitCode::from(1)
        }
        Err(Failure::Config(msg)) => {
            eprintln!("countermark: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Keygen { bytes, format } => keygen(bytes, format),
        Command::Token(TokenCommand::Create {
            secret,
            alg,
            fields,
        }) => {
            let tokens = Tokens::new(hmac_key(&alg, &secret, false)?);
            let token = tokens
                .create(&fields)
                .map_err(|e| config("cannot create the token", e))?;
            print_line(&token)
        }
        Command::Token(TokenCommand::Verify {
            secret,
            alg,
            max_age,
            json,
            token,
        }) => {
            let tokens = Tokens::new(hmac_key(&alg, &secret, false)?);
            let token = if token == "-" { read_stdin()? } else { token };
            let verified = tokens
                .verify(&token, max_age)
                .map_err(|e| Failure::Refused(format!("token rejected: {e}")))?;
            if json {
                print_line(&serde_json::Value::from(verified.fields().to_vec()).to_string())
            } else {
                verified.fields().iter().try_for_each(|f| print_line(f))
            }
        }
        Command::Url(UrlCommand::Sign {
            secret,
            user,
            alg,
            lifetime,
            valid_until,
            extras,
            url,
        }) => {
            let signer =
                UrlSigner::new(hmac_key(&alg, &secret, true)?).with_clock(Arc::new(SystemClock));
            let mut extra = Extra::new();
            for item in &extras {
                let (k, v) = item.split_once('=').ok_or_else(|| {
                    Failure::Config(format!("--extra wants KEY=VALUE, got {item:?}"))
                })?;
                extra.insert(k, v).map_err(|e| config("--extra", e))?;
            }
            let expiry = match valid_until {
                Some(v) => Expiry::At(ValidUntil::Text(v)),
                None => Expiry::Lifetime(lifetime),
            };
            let signed = signer
                .sign_url(&url, &user, expiry, &extra)
                .map_err(|e| config("cannot sign the URL", e))?;
            print_line(&signed)
        }
        Command::Url(UrlCommand::Verify {
            secret,
            alg,
            json,
            url,
        }) => {
            let signer = UrlSigner::new(hmac_key(&alg, &secret, true)?);
            let data = signer.validate_url(&url).map_err(|rejection| {
                let kinds: Vec<&str> = rejection
                    .failures()
                    .iter()
                    .map(|f| f.kind().as_str())
                    .collect();
                Failure::Refused(format!(
                    "URL rejected: {}: {}",
                    kinds.join(", "),
                    rejection.message()
                ))
            })?;
            if json {
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
                print_line(&out.to_string())
            } else {
                print_line(&format!("auth_user: {}", data.auth_user()))?;
                print_line(&format!("valid_until: {}", data.valid_until()))?;
                data.extra()
                    .iter()
                    .try_for_each(|(k, v)| print_line(&format!("{k}: {v}")))
            }
        }
    }
}

fn keygen(bytes: usize, format: Format) -> Result<(), Failure> {
    let secret = Secret::generate(bytes).map_err(|e| config("--bytes", e))?;
    let text = Zeroizing::new(match format {
        Format::Hex => secret
            .expose()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
        Format::Base64 => base64::engine::general_purpose::STANDARD.encode(secret.expose()),
    });
    let mut out = std::io::stdout().lock();
    let newline = if out.is_terminal() { "\n" } else { "" };
    write!(out, "{}{newline}", text.as_str()).map_err(|e| config("cannot write to stdout", e))
}

/// Reads the secret and builds the key. `legacy` allows ska's short secrets (with a warning).
fn hmac_key(alg: &str, source: &SecretSource, legacy: bool) -> Result<HmacKey, Failure> {
    let alg: Algorithm = alg.parse().map_err(|e: Error| config("--alg", e))?;
    let bytes = Zeroizing::new(match (&source.secret_file, &source.secret_env) {
        (Some(path), _) => std::fs::read(path).map_err(|e| {
            Failure::Config(format!(
                "cannot read the secret file {}: {e}",
                path.display()
            ))
        })?,
        (None, Some(var)) => std::env::var_os(var)
            .ok_or_else(|| Failure::Config(format!("environment variable {var} is not set")))?
            .into_encoded_bytes(),
        (None, None) => return Err(Failure::Config("give --secret-file or --secret-env".into())),
    });
    let secret = if legacy {
        if bytes.len() < Secret::MIN_LEN {
            eprintln!(
                "countermark: warning: the secret is only {} bytes; use 16 or more for new deployments",
                bytes.len()
            );
        }
        Secret::legacy(bytes.to_vec())
    } else {
        Secret::new(bytes.to_vec())
    }
    .map_err(|e| config("secret", e))?;
    Ok(HmacKey::new(alg, &secret))
}

fn read_stdin() -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| config("cannot read the token from stdin", e))?;
    Ok(text.trim_end().to_string())
}

fn print_line(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").map_err(|e| config("cannot write to stdout", e))
}
