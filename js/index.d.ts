// TypeScript declarations of the npm package `countermark` (the countermark core compiled to WebAssembly).
// Names follow the README's Concepts table in JavaScript casing; durations are numbers of seconds; an option left
// out keeps the core's default. Every error is a CountermarkError subclass with `code` and `reason`.

export type Bytes = string | Uint8Array | ArrayBuffer | ArrayBufferView;
export type HeaderLine = [name: string, value: string];
export type HeaderInput =
  | HeaderLine[]
  | Record<string, string>
  | { entries(): Iterable<[string, string]> };

/** The version of the core this package was built from. */
export function version(): string;
/** The core's default policy of every request scheme, one `describe()` line each. */
export function policyDefaults(): string[];

// ------------------------------------------------------------------------------------------------- errors

export class CountermarkError extends Error {
  /** The stable numeric code of the C ABI (`countermark_result`), e.g. 300 for a bad signature. */
  readonly code: number;
  /** Its stable name, the word the test vectors use, e.g. `"bad_signature"`. */
  readonly reason: string;
  static readonly code: number;
  static readonly reason: string;
}
/** A credential was refused (answer with 401). */
export class InvalidToken extends CountermarkError {}
export class Malformed extends InvalidToken {}
export class TooLarge extends Malformed {}
export class Expired extends InvalidToken {}
export class NotYetValid extends InvalidToken {}
export class BadSignature extends InvalidToken {}
export class UnknownKey extends InvalidToken {}
export class Replayed extends InvalidToken {}
export class UnsupportedAlgorithm extends InvalidToken {}
/** An argument given by the caller is refused. */
export class ConfigurationError extends CountermarkError {}
export class InvalidKey extends ConfigurationError {}
export class InvalidValue extends ConfigurationError {}
/** Shared state cannot answer: fail closed (503). */
export class Unavailable extends CountermarkError {}

// --------------------------------------------------------------------------------------------- clock, keys

/** The host's clock (`Date.now()`), or a fixed instant for tests and recorded traffic. */
export class Clock {
  private constructor();
  static system(): Clock;
  static fixed(secs: number): Clock;
  now(): number;
  free(): void;
}

export class HmacKey {
  /** `algorithm`: `hmac-sha256`, `hmac-sha1`, `hmac-sha224`, `hmac-sha384`, `hmac-sha512`, `hmac-blake2s`, `hmac-blake2b`, `hmac-md5`. */
  constructor(secret: Bytes, algorithm: string, options?: { keyId?: string; legacy?: boolean });
  static generate(algorithm: string, length: number, options?: { keyId?: string }): HmacKey;
  readonly algorithm: string;
  readonly keyId: string | undefined;
  sign(message: Bytes): Uint8Array;
  verify(message: Bytes, tag: Bytes): void;
  free(): void;
}

export class KeyRing {
  constructor(primary: HmacKey, options?: { verifyOnly?: HmacKey[] });
  rotate(key: HmacKey): void;
  addVerifyOnly(key: HmacKey): void;
  retire(keyId: string): void;
  get(keyId: string): HmacKey | undefined;
  readonly primary: HmacKey;
  readonly size: number;
  free(): void;
}

export class SigningKey {
  private constructor();
  static fromPem(pem: string): SigningKey;
  static fromDer(der: Uint8Array): SigningKey;
  readonly verifyingKey: VerifyingKey;
  readonly keyId: string;
  sign(algorithm: string, message: Bytes): Uint8Array;
  free(): void;
}

export class VerifyingKey {
  private constructor();
  static fromPem(pem: string): VerifyingKey;
  static fromDer(der: Uint8Array): VerifyingKey;
  static fromJwk(jwk: string): VerifyingKey;
  /** `keyType`: `ed25519` or `ecdsa-p256`. */
  static decoy(keyType: string): VerifyingKey;
  withKeyId(keyId: string): VerifyingKey;
  readonly keyId: string;
  readonly fingerprint: string;
  verify(algorithm: string, message: Bytes, signature: Bytes): void;
  toPem(): string;
  free(): void;
}

export class NonceStore {
  private constructor();
  /** A memory store of at most `capacity` live values (left out: `NonceStore.DEFAULT_CAPACITY`, the core's). */
  static memory(capacity?: number): NonceStore;
  static readonly DEFAULT_CAPACITY: number;
  checkAndInsert(value: Bytes, ttl: number, options?: { clock?: Clock }): void;
  readonly capacity: number;
  free(): void;
}

// ------------------------------------------------------------------------------------------------- tokens

export interface VerifiedToken {
  fields: string[];
  timestamp: number;
}

/** handshake-format tokens. */
export class Tokens {
  constructor(keys: HmacKey | KeyRing, options?: { clock?: Clock; randomLen?: number });
  create(fields: string[]): string;
  createWithRandom(fields: string[], random: Bytes): string;
  verify(token: string, maxAge?: number): VerifiedToken;
  free(): void;
}

// ------------------------------------------------------------------------------------------- signed URLs

export interface SignedData {
  authUser: string;
  validUntil: string;
  extra: Record<string, string>;
}

export interface ParamNames {
  signature?: string;
  authUser?: string;
  validUntil?: string;
  extra?: string;
}

export type ExtraValue = string | number | boolean | null | ExtraValue[] | { [key: string]: ExtraValue };

export interface SignOptions {
  lifetime?: number;
  validUntil?: number | string;
  extra?: Record<string, ExtraValue>;
}

export type SignatureParams = HeaderLine[] | Record<string, string> | { entries(): Iterable<[string, string]> };

/** ska-format signatures and signed URLs. `valueDumper`/`quoter`: `"python"` (ska's defaults) or `"javascript"`. */
export class UrlSigner {
  constructor(
    keys: HmacKey | KeyRing,
    options?: { clock?: Clock; paramNames?: ParamNames; valueDumper?: "python" | "javascript"; quoter?: "python" | "javascript" },
  );
  signUrl(url: string, user: string, options?: SignOptions & { suffix?: string }): string;
  signParams(user: string, options?: SignOptions): Record<string, string>;
  readonly valueDumper: string;
  readonly quoter: string;
  readonly paramNames: Required<ParamNames>;
  validateUrl(url: string): SignedData;
  validate(params: SignatureParams): SignedData;
  validationReport(params: SignatureParams): { data: SignedData | null; failures: { code: number; message: string }[] };
  free(): void;
}

// ------------------------------------------------------------------------------------------ HTTP messages

export class Request {
  constructor(
    method: string,
    target: string,
    options?: { headers?: HeaderInput; body?: Bytes; scheme?: string; authority?: string },
  );
  static fromUrl(method: string, url: string, options?: { headers?: HeaderInput; body?: Bytes }): Request;
  withHeaders(headers: HeaderInput): Request;
  readonly method: string;
  readonly target: string;
  readonly headers: HeaderLine[];
  readonly body: Uint8Array | undefined;
  free(): void;
}

export class Response {
  constructor(status: number, options?: { headers?: HeaderInput; body?: Bytes; request?: Request });
  withHeaders(headers: HeaderInput): Response;
  readonly status: number;
  free(): void;
}

/** What a request signer produced: the header lines to add, the signature, and the exact string signed. */
export interface SignedRequest {
  headers: HeaderLine[];
  signature: string;
  signedString: string;
}

/** Phase one: what a credential claims, unverified. */
export interface Credentials {
  scheme: "fost" | "fost-url" | "hmac-header" | "rfc9421" | "jwt";
  keyId: string | null;
  user: string | null;
  created: number | null;
  algorithm: string | null;
  details: HeaderLine[];
}

/** Phase two: a verified request. */
export interface Verified {
  scheme: "fost" | "fost-url" | "hmac-header" | "rfc9421" | "jwt";
  keyId: string | null;
  user: string | null;
  created: number | null;
  algorithm: string;
  covered: string[];
  details: HeaderLine[];
}

// ---------------------------------------------------------------------------------------------------- FOST

export class FostSigner {
  constructor(keyId: string, key: HmacKey, options?: { clock?: Clock });
  sign(request: Request, headers?: string[], options?: { timestamp?: string }): SignedRequest;
  free(): void;
}
export class FostPolicy {
  constructor(options?: { clock?: Clock; clockSkew?: number; nonceStore?: NonceStore });
  describe(): string;
  free(): void;
}
export class FostUrlSigner {
  constructor(keyId: string, key: HmacKey);
  sign(url: string, options?: { expires?: number }): string;
  free(): void;
}
export function parseFost(request: Request): Credentials | null;
export function verifyFost(request: Request, key: HmacKey, policy?: FostPolicy): Verified;
export function parseFostUrl(request: Request): Credentials | null;
export function verifyFostUrl(request: Request, key: HmacKey, policy?: FostPolicy): Verified;

// --------------------------------------------------------------------------------------------- HMAC header

export class ApiSecret {
  constructor(base64: string);
  static fromBase64Strict(text: string): ApiSecret;
  static generate(): ApiSecret;
  static decryptLegacy(cipher: string, password: Bytes, salt: Bytes, ciphertext: Bytes): ApiSecret;
  toBase64(): string;
  toBytes(): Uint8Array;
  fostKey(): HmacKey;
  messageSignatureKey(): HmacKey;
  free(): void;
}
export class HmacHeaderSigner {
  /** `algorithm`: `hmac-sha256`, `hmac-sha384` or `hmac-sha512`. */
  constructor(keyId: string, secret: ApiSecret, algorithm: string, options?: { clock?: Clock });
  sign(request: Request, options?: { timestamp?: string }): SignedRequest;
  free(): void;
}
export class HmacHeaderPolicy {
  constructor(options?: { clock?: Clock; maxAge?: number; nonceStore?: NonceStore });
  describe(): string;
  free(): void;
}
export function parseHmacHeader(request: Request): Credentials | null;
export function verifyHmacHeader(request: Request, secret: ApiSecret, policy?: HmacHeaderPolicy): Verified;

// -------------------------------------------------------------------------------------------------- JWT

export function signJwt(key: SigningKey, username: string, options?: { clock?: Clock; time?: number; nonce?: string }): string;
export class JwtPolicy {
  constructor(options?: { clock?: Clock; clockSkew?: number; nonceStore?: NonceStore });
  describe(): string;
  free(): void;
}
export function parseJwt(token: string): Credentials;
export function parseJwtRequest(request: Request): { token: string; credentials: Credentials } | null;
export function verifyJwt(token: string, keys: VerifyingKey[], policy: JwtPolicy): Verified;

// --------------------------------------------------------------------------------------------- RFC 9421

export interface MessageSignerOptions {
  algorithm?: string;
  label?: string;
  components?: string[];
  created?: number | false;
  expires?: number;
  expiresIn?: number;
  keyId?: string | false;
  nonce?: string;
  randomNonces?: boolean;
  tag?: string;
  includeAlg?: boolean;
  clock?: Clock;
}
export class MessageSigner {
  constructor(key: HmacKey | SigningKey, options?: MessageSignerOptions);
  sign(request: Request): SignedRequest;
  signWithDefaultCoverage(request: Request): SignedRequest;
  signResponse(response: Response): SignedRequest;
  free(): void;
}
export class MessageVerifyingKey {
  private constructor();
  static hmac(key: HmacKey): MessageVerifyingKey;
  static public(key: VerifyingKey, algorithm?: string): MessageVerifyingKey;
  readonly algorithm: string;
  free(): void;
}
export interface MessagePolicyOptions {
  clock?: Clock;
  clockSkew?: number;
  /** Seconds; `null` for no age limit. */
  maxAge?: number | null;
  requireCreated?: boolean;
  requireKeyId?: boolean;
  requireNonce?: boolean;
  requiredComponents?: string[];
  allowUnknownParams?: boolean;
  label?: string;
  checkContentDigest?: boolean;
  requireBodyDigest?: boolean;
  nonceStore?: NonceStore;
  rememberSignatures?: boolean;
}
export class MessagePolicy {
  constructor(options?: MessagePolicyOptions);
  describe(): string;
  free(): void;
}
export function parseMessageSignature(request: Request, label?: string): Credentials | null;
export function verifyMessageSignature(request: Request, key: MessageVerifyingKey, policy: MessagePolicy): Verified;
export function parseResponseSignature(response: Response, label?: string): Credentials | null;
export function verifyResponseSignature(response: Response, key: MessageVerifyingKey, policy: MessagePolicy): Verified;
/** `algorithms`: `sha-256` and/or `sha-512`. */
export function contentDigest(body: Bytes, algorithms: string[]): string;
export function verifyContentDigest(value: string, body: Bytes): void;
export function defaultCoverage(request: Request): { components: string[]; contentDigest: string | null };

// ------------------------------------------------------------------------------------------------ clients

/** A request-signing scheme: `sign` returns the header lines to set on the outgoing request. */
export interface Scheme {
  sign(method: string, url: string, headers: HeaderInput | undefined, body: Uint8Array | null): HeaderLine[];
}
export class FostScheme implements Scheme {
  constructor(keyId: string, key: HmacKey, options?: { headers?: string[]; user?: string; clock?: Clock });
  readonly keyId: string;
  sign(method: string, url: string, headers: HeaderInput | undefined, body: Uint8Array | null): HeaderLine[];
}
export class HmacHeaderScheme implements Scheme {
  constructor(keyId: string, secret: ApiSecret, algorithm: string, options?: { clock?: Clock });
  readonly keyId: string;
  sign(method: string, url: string, headers: HeaderInput | undefined, body: Uint8Array | null): HeaderLine[];
}
export class HttpSignatureScheme implements Scheme {
  constructor(key: HmacKey | SigningKey, options?: MessageSignerOptions & { digestAlgorithms?: string[] });
  readonly keyId: string | undefined;
  sign(method: string, url: string, headers: HeaderInput | undefined, body: Uint8Array | null): HeaderLine[];
}
export class JwtScheme implements Scheme {
  constructor(key: SigningKey, username: string, options?: { clock?: Clock });
  readonly username: string;
  sign(method: string, url: string, headers: HeaderInput | undefined, body: Uint8Array | null): HeaderLine[];
}
/** A fetch that signs each request with `scheme` before sending it (the body signed as sent). */
export function signedFetch(
  scheme: Scheme,
  options?: { fetch?: typeof fetch },
): (input: string | URL | globalThis.Request, init?: RequestInit) => Promise<globalThis.Response>;
/** Signs every request of an axios instance with `scheme`; returns the interceptor id. */
export function installAxiosInterceptor(axios: unknown, scheme: Scheme): number;
