// The errors countermark throws: the same classes, codes and reasons as the Python package
// (countermark.exceptions) and the Go package (countermark.Error codes).
//
// Every error derives from CountermarkError, with two structured fields:
//   code:   the stable numeric code of the C ABI (countermark_result), e.g. 300 for a bad signature;
//   reason: its stable name, the word the test vectors use, e.g. "bad_signature".
// Refused credentials throw a subclass of InvalidToken (answer with 401); arguments the caller got wrong throw
// ConfigurationError; shared state that cannot answer throws Unavailable (503). Wrong JavaScript types throw
// TypeError. Messages never contain a secret.

export class CountermarkError extends Error {
  constructor(message = "") {
    super(message);
    this.name = new.target.name;
  }
  get code() {
    return this.constructor.code;
  }
  get reason() {
    return this.constructor.reason;
  }
}
CountermarkError.code = 0;
CountermarkError.reason = "error";

/** A credential (token, signed URL, request signature, JWT) was refused. */
export class InvalidToken extends CountermarkError {}
/** The credential cannot be parsed: missing parts, bad encoding, bad structured field. */
export class Malformed extends InvalidToken {}
Malformed.code = 200;
Malformed.reason = "malformed";
/** The credential is over a documented length limit. */
export class TooLarge extends Malformed {}
TooLarge.code = 201;
TooLarge.reason = "too_large";
/** The credential is older than its lifetime or the allowed clock skew. */
export class Expired extends InvalidToken {}
Expired.code = 301;
Expired.reason = "expired";
/** The credential claims a time in the future beyond the allowed clock skew. */
export class NotYetValid extends InvalidToken {}
NotYetValid.code = 302;
NotYetValid.reason = "not_yet_valid";
/** The MAC or signature does not match (tampering, wrong key, wrong algorithm). */
export class BadSignature extends InvalidToken {}
BadSignature.code = 300;
BadSignature.reason = "bad_signature";
/** No key is known for the credential's key id. */
export class UnknownKey extends InvalidToken {}
UnknownKey.code = 102;
UnknownKey.reason = "unknown_key";
/** A single-use credential (nonce, signature) was presented again. */
export class Replayed extends InvalidToken {}
Replayed.code = 303;
Replayed.reason = "replayed";
/** The algorithm is not allowed for this key or format (`alg: none`, HMAC with a public key, MD5). */
export class UnsupportedAlgorithm extends InvalidToken {}
UnsupportedAlgorithm.code = 101;
UnsupportedAlgorithm.reason = "unsupported_algorithm";
/** An argument given by the caller is refused (a key too short, a bad field, a bad option). */
export class ConfigurationError extends CountermarkError {}
/** A key or secret is unusable: wrong length, bad PEM/DER/JWK, wrong type. */
export class InvalidKey extends ConfigurationError {}
InvalidKey.code = 100;
InvalidKey.reason = "invalid_key";
/** An argument is out of range or contains forbidden characters. */
export class InvalidValue extends ConfigurationError {}
InvalidValue.code = 202;
InvalidValue.reason = "invalid_value";
/** Shared state (a nonce store, the random source) cannot answer: fail closed. */
export class Unavailable extends CountermarkError {}
Unavailable.code = 400;
Unavailable.reason = "unavailable";

const BY_REASON = new Map(
  [Malformed, TooLarge, Expired, NotYetValid, BadSignature, UnknownKey, Replayed, UnsupportedAlgorithm,
    InvalidKey, InvalidValue, Unavailable].map((c) => [c.reason, c]),
);

/** The error object of a core error: the class of its reason (CountermarkError for a reason this file lacks). */
export function __makeError(reason, message) {
  const Class = BY_REASON.get(reason) || CountermarkError;
  return new Class(message);
}
